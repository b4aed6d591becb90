// @ts-check
// The connection to /ws: connect, reconnect with backoff, resume with
// ?since=<last seq>. It knows nothing of the messages beyond parsing them.

import { parseMessage } from './protocol.js';

/** @typedef {'connecting' | 'open' | 'closed'} ConnState */

const MIN_DELAY_MS = 500;
const MAX_DELAY_MS = 10000;

export class Socket {
  /**
   * @param {object} opts
   * @param {string} opts.url                 ws:// or wss:// URL of /ws
   * @param {() => number} opts.since         last seq applied, 0 for none
   * @param {(env: import('./protocol.js').Envelope) => void} opts.onMessage
   * @param {(state: ConnState) => void} opts.onStatus
   */
  constructor({ url, since, onMessage, onStatus }) {
    this.url = url;
    this.since = since;
    this.onMessage = onMessage;
    this.onStatus = onStatus;
    /** @type {WebSocket | null} */
    this.ws = null;
    this.attempt = 0;
    /** @type {number | undefined} */
    this.timer = undefined;
    this.stopped = true;
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    this.ws?.close();
    this.ws = null;
  }

  /** Drops the connection and reconnects at once (e.g. after a seq gap). */
  resync() {
    this.attempt = 0;
    this.ws?.close();
  }

  connect() {
    if (this.stopped) return;
    this.onStatus('connecting');
    const u = new URL(this.url);
    const seq = this.since();
    if (seq > 0) u.searchParams.set('since', String(seq));
    let ws;
    try {
      ws = new WebSocket(u);
    } catch {
      this.retry();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      this.attempt = 0;
      this.onStatus('open');
    };
    ws.onmessage = (ev) => {
      if (typeof ev.data !== 'string') return;
      let envs;
      try {
        envs = parseMessage(ev.data);
      } catch (err) {
        console.warn('podpath: bad message', err);
        return;
      }
      for (const env of envs) this.onMessage(env);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.onStatus('closed');
      this.retry();
    };
    // onerror is always followed by onclose.
  }

  retry() {
    if (this.stopped) return;
    const base = Math.min(MAX_DELAY_MS, MIN_DELAY_MS * 2 ** this.attempt);
    this.attempt++;
    const delay = base * (0.8 + Math.random() * 0.4);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), delay);
  }
}
