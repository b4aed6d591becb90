// @ts-check
// The connection to /ws: connect, reconnect with exponential backoff and
// jitter, resume with ?since=<last seq>&epoch=<server run>. Of the
// messages it reads only the envelope (type, seq, epoch): a frame that
// does not follow the one before, or a server that restarted, means a
// fresh snapshot; a connection silent for STALE_MS is dead.

import { parseMessage } from './protocol.js';

/** @typedef {'connecting' | 'open' | 'closed'} ConnState */

const MIN_DELAY_MS = 250;
// Capped low so that every page is back within 2 s of a server restart;
// the jitter spreads a class's reconnects over that time.
const MAX_DELAY_MS = 1500;
// Frames come 10–60 times a second, also while paused.
const STALE_MS = 5000;

export class Socket {
  /**
   * @param {object} opts
   * @param {string} opts.url                 ws:// or wss:// URL of /ws
   * @param {() => number} opts.since         last seq applied, 0 for none
   * @param {(env: import('./wire.js').Envelope) => void} opts.onMessage
   * @param {(state: ConnState) => void} opts.onStatus
   * @param {() => string | null} [opts.hello] the first message of every connection (the room's auth), or null
   */
  constructor({ url, since, onMessage, onStatus, hello }) {
    this.url = url;
    this.hello = hello || (() => null);
    this.since = since;
    this.onMessage = onMessage;
    this.onStatus = onStatus;
    /** @type {WebSocket | null} */
    this.ws = null;
    this.attempt = 0;
    /** @type {number | undefined} */
    this.timer = undefined;
    this.stopped = true;
    /** The server run of the last snapshot (see docs/api.md). */
    this.epoch = '';
    /** @type {number | null} the seq the next frame must have */
    this.expect = null;
    /** Skip ?since= on the next connect: a gap was seen. */
    this.fresh = false;
    this.lastMessage = 0;
    /** @type {number | undefined} */
    this.watchdog = undefined;
  }

  start() {
    this.stopped = false;
    this.connect();
    this.watchdog = setInterval(() => {
      if (this.ws?.readyState === WebSocket.OPEN && performance.now() - this.lastMessage > STALE_MS) {
        this.abandon();
        this.retry();
      }
    }, 1000);
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.watchdog);
    this.ws?.close();
    this.ws = null;
  }

  /** Drops the connection and reconnects at once for a fresh snapshot (e.g. after a seq gap). */
  resync() {
    this.abandon();
    this.fresh = true;
    this.attempt = 0;
    this.connect();
  }

  /** Forgets the connection without waiting for its close handshake. */
  abandon() {
    const ws = this.ws;
    this.ws = null;
    if (!ws) return;
    ws.onclose = ws.onmessage = ws.onopen = null;
    ws.close();
    this.onStatus('closed');
  }

  connect() {
    if (this.stopped) return;
    this.onStatus('connecting');
    const u = new URL(this.url);
    if (this.epoch && !this.fresh) {
      u.searchParams.set('since', String(this.since()));
      u.searchParams.set('epoch', this.epoch);
    }
    this.fresh = false;
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
      this.lastMessage = performance.now();
      const hello = this.hello();
      if (hello) ws.send(hello);
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
      this.lastMessage = performance.now();
      for (const env of envs) {
        if (env.type === 'snapshot') {
          if (env.epoch) this.epoch = env.epoch;
          this.expect = env.seq + 1;
        } else if (env.type === 'frame') {
          if (this.expect !== null && env.seq !== this.expect) {
            console.warn(`podpath: frame ${env.seq} after ${this.expect - 1}; taking a fresh snapshot`);
            this.resync();
            return;
          }
          this.expect = env.seq + 1;
        }
        this.onMessage(env);
      }
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
    const delay = base / 2 + Math.random() * (base / 2); // "equal jitter"
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), delay);
  }
}
