// @ts-check
// What the page knows, built from the stream: the latest snapshot, the
// requests in flight, fresh log lines. No DOM here. Each part has a
// version number that changes when the part changes, so the renderer can
// skip work when nothing moved.

import { OUTCOME_OK, decodeRequests } from './protocol.js';

/** @typedef {import('./wire.js').Snapshot} Snapshot */
/** @typedef {import('./protocol.js').LiveRequest} Request */
/** @typedef {import('./wire.js').LogEvent} LogEvent */
/** @typedef {import('./wire.js').Metrics} Metrics */
/** @typedef {import('./wire.js').Clock} Clock */

/** How long a failed request's mark stays after it ended, virtual ms. */
export const FAIL_LINGER_MS = 1200;

/** Failed requests are summed up in the log at most this often, virtual ms. */
const FAIL_SUMMARY_MS = 1000;

/** Finished requests are forgotten at most this often, virtual ms. */
const PRUNE_EVERY_MS = 250;

/** Log lines kept while nobody drains them (a hidden tab). */
const MAX_PENDING_LOG = 500;

export class State {
  constructor() {
    /** @type {Snapshot | null} */
    this.snapshot = null;
    /** @type {Metrics | null} */
    this.metrics = null;
    /** @type {Clock} */
    this.clock = { timeMs: 0, paused: true, speed: 1 };
    /** @type {Map<number, Request>} requests in flight, by id */
    this.requests = new Map();
    /** @type {LogEvent[]} log lines not yet shown */
    this.pendingLog = [];
    /** @type {Request[]} failed requests not yet told in the log */
    this.failures = [];
    this.lastFailureSummary = -Infinity;
    /** Sampling factor: 1 in `sampled` requests is sent. */
    this.sampled = 1;
    /** The last envelope seq applied (for ?since= on reconnect). */
    this.seq = 0;
    this.stateVersion = 0;
    /** @type {number | undefined} virtual time of the last state a command answer gave */
    this.commandStateAt = undefined;
    this.commandStateWall = 0;
    this.prunedAt = -Infinity;
    this.metricsVersion = 0;
    this.clockVersion = 0;
  }

  /**
   * Replaces everything with a snapshot (first message, or a resync).
   * @param {import('./wire.js').SnapshotPayload} payload
   * @param {number} seq
   */
  applySnapshot(payload, seq) {
    this.commandStateAt = undefined;
    this.requests.clear();
    this.failures = [];
    this.seq = seq;
    this.setState(payload.state);
    this.setClock(payload.clock);
  }

  /**
   * Applies one frame.
   * @param {import('./wire.js').FramePayload} payload
   * @param {number} seq
   * @returns {Request[]} the frame's requests, decoded
   */
  applyFrame(payload, seq) {
    this.seq = seq;
    if (payload.state && !this.isOlder(payload.state)) {
      this.setState(payload.state);
      this.commandStateAt = undefined;
    }
    if (payload.metrics) this.setMetrics(payload.metrics);
    if (payload.clock) this.setClock(payload.clock);
    const reqs = decodeRequests(payload);
    for (const r of reqs) {
      if (!this.requests.has(r.id) && r.outcome !== OUTCOME_OK) this.failures.push(r);
      this.requests.set(r.id, r);
    }
    if (payload.log && payload.log.length) this.pendingLog.push(...payload.log);
    if (this.pendingLog.length > MAX_PENDING_LOG) this.pendingLog.splice(0, this.pendingLog.length - MAX_PENDING_LOG);
    if (this.failures.length > MAX_PENDING_LOG) this.failures.splice(0, this.failures.length - MAX_PENDING_LOG);
    if (typeof payload.sampled === 'number' && payload.sampled !== this.sampled) {
      this.sampled = payload.sampled;
      this.clockVersion++;
    }
    return reqs;
  }

  /**
   * Takes the state a command's answer carries (POST /api/commands),
   * before the stream's next frame brings it: the page draws the change
   * at once. A frame made before the command (an older state) is then
   * not applied over it.
   * @param {Snapshot} s
   */
  applyCommandState(s) {
    if (!s || this.isOlder(s)) return;
    this.setState(s);
    this.commandStateAt = s.timeMs;
    this.commandStateWall = performance.now();
  }

  /**
   * Whether a frame's state is older than one a command answer gave
   * within the last second (after that the stream wins, whatever it says).
   * @param {Snapshot} s
   */
  isOlder(s) {
    return this.commandStateAt !== undefined && s.timeMs < this.commandStateAt && performance.now() - this.commandStateWall < 1000;
  }

  /** @param {Snapshot} s */
  setState(s) {
    this.snapshot = s;
    this.stateVersion++;
    if (s.metrics) this.setMetrics(s.metrics);
  }

  /** @param {Metrics} m */
  setMetrics(m) {
    this.metrics = m;
    this.metricsVersion++;
  }

  /** @param {Clock} c */
  setClock(c) {
    const old = this.clock;
    if (old.paused !== c.paused || old.speed !== c.speed) this.clockVersion++;
    this.clock = c;
  }

  /**
   * Forgets requests that have finished by virtual time now (failed ones
   * linger a little so their mark can be seen).
   * @param {number} now
   */
  prune(now) {
    // The renderer skips finished requests itself: forgetting them a
    // little late costs nothing, walking every request each frame does.
    if (now >= this.prunedAt && now - this.prunedAt < PRUNE_EVERY_MS) return;
    this.prunedAt = now;
    for (const [id, r] of this.requests) {
      const linger = r.outcome === OUTCOME_OK ? 0 : FAIL_LINGER_MS;
      if (r.endMs + linger <= now) this.requests.delete(id);
    }
  }

  /**
   * The log lines not yet shown, forgotten once returned: the cluster's
   * events, then failed requests that have ended by virtual time now,
   * summed up by what went wrong (the text mirror of the ✕ marks).
   * @param {number} now
   * @returns {LogEvent[]}
   */
  drainLog(now) {
    const out = this.pendingLog;
    this.pendingLog = [];
    if (this.failures.length && now - this.lastFailureSummary >= FAIL_SUMMARY_MS) {
      /** @type {Map<string, number>} */
      const counts = new Map();
      const later = [];
      for (const r of this.failures) {
        if (r.endMs > now) {
          later.push(r);
          continue;
        }
        const what = r.status ? `HTTP ${r.status}` : r.outcome;
        const key = r.reason ? `${what}: ${r.reason}` : what;
        counts.set(key, (counts.get(key) || 0) + 1);
      }
      this.failures = later;
      if (counts.size) this.lastFailureSummary = now;
      for (const [key, n] of counts) {
        out.push({ timeMs: now, kind: 'request', object: '', message: `${n} request${n === 1 ? '' : 's'} failed, ${key}` });
      }
    }
    return out;
  }

  /**
   * The desired replicas of a deployment, or undefined.
   * @param {string} id namespace/name
   */
  desiredReplicas(id) {
    const d = this.snapshot?.deployments?.find((x) => `${x.namespace}/${x.name}` === id);
    return d?.replicas;
  }
}
