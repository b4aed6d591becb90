// @ts-check
// The WebSocket protocol, mirrored from server/protocol.go and model's
// JSON. Keep the two in step: docs/contract.md is the source of truth.
//
// On connect the server sends one `snapshot`, then `frame`s at a fixed
// rate (10–60 per second). A client that reconnects with `?since=<seq>`
// either resumes (frames continue after seq) or gets a fresh snapshot.

/** Message types. */
export const MSG = Object.freeze({
  SNAPSHOT: 'snapshot',
  FRAME: 'frame',
  ERROR: 'error',
  // Both ways: the client sends {type: 'auth', token} first; the server
  // answers {type: 'auth', payload: {role: 'presenter' | 'follower'}}.
  AUTH: 'auth',
});

/** Hop kinds (model/events.go). */
export const HOP = Object.freeze({
  DNS: 'dns',
  INTERNET: 'internet',
  LB: 'lb',
  NODEPORT: 'nodeport',
  PODNET: 'podnet',
  SERVICE: 'service',
  APP: 'app',
  RESPONSE: 'response',
});

/** The outcome of a request that went well; anything else failed. */
export const OUTCOME_OK = 'ok';

/** @typedef {import('./wire.js').Envelope} Envelope */
/** @typedef {import('./wire.js').FramePayload} FramePayload */
/** @typedef {import('./wire.js').WireRequest} WireRequest */
/** @typedef {import('./wire.js').Hop} Hop */

/** Fields of a WireRequest before its hops. */
export const WIRE = Object.freeze({
  ID: 0,
  START: 1,
  END: 2,
  STATUS: 3,
  OUTCOME: 4,
  CLIENT: 5,
  CLIENT_KIND: 6,
  URL: 7,
  POD: 8,
  SERVICE: 9,
  ROUTE: 10,
  REASON: 11,
  /** the number of fields before the first hop */
  HEADER: 12,
  /** the fields of one hop: kind, from, to, startDelta, endDelta, flags */
  HOP: 6,
});

/** Bits of a hop's flags. */
export const HOP_FLAG = Object.freeze({ RESPONSE: 1, FAILED: 2, ENCAP_SHIFT: 2 });

/**
 * The page's names table: every element id, hop kind and encapsulation
 * a request mentions, numbered once for the page's life (0 is ""), so
 * that the renderer indexes typed arrays instead of hashing strings.
 */
export const names = {
  /** @type {string[]} */
  list: [''],
  /** @type {Map<string, number>} */
  index: new Map([['', 0]]),
  /** @type {Map<string, string>} client id → client kind */
  clientKind: new Map(),
};

/**
 * The number of a name in the page's table, added when new.
 * @param {string} s
 */
export function nameIndex(s) {
  let i = names.index.get(s);
  if (i === undefined) {
    i = names.list.length;
    names.list.push(s);
    names.index.set(s, i);
  }
  return i;
}

/**
 * A live request, decoded from its WireRequest. Its hops stay packed in
 * `w` (kind, from, to and encapsulation as numbers of the page's names
 * table, times relative to startMs) for the renderer; `hops` unpacks
 * them on demand.
 */
export class LiveRequest {
  /**
   * @param {WireRequest} w the wire array; its hops are rewritten in place
   * @param {string[]} strings the frame's string table
   */
  constructor(w, strings) {
    const str = (/** @type {number} */ i) => strings[i] || '';
    this.id = w[WIRE.ID];
    this.startMs = w[WIRE.START];
    this.endMs = w[WIRE.END];
    this.status = w[WIRE.STATUS];
    this.outcome = str(w[WIRE.OUTCOME]);
    this.client = str(w[WIRE.CLIENT]);
    this.clientKind = str(w[WIRE.CLIENT_KIND]);
    this.url = str(w[WIRE.URL]);
    this.pod = str(w[WIRE.POD]);
    this.service = str(w[WIRE.SERVICE]);
    this.route = str(w[WIRE.ROUTE]);
    this.reason = str(w[WIRE.REASON]);
    for (let o = WIRE.HEADER; o + WIRE.HOP <= w.length; o += WIRE.HOP) {
      w[o] = nameIndex(str(w[o]));
      w[o + 1] = nameIndex(str(w[o + 1]));
      w[o + 2] = nameIndex(str(w[o + 2]));
      const f = w[o + 5];
      w[o + 5] = (f & 3) | (nameIndex(str(f >> HOP_FLAG.ENCAP_SHIFT)) << HOP_FLAG.ENCAP_SHIFT);
    }
    this.w = w;
    /** name numbers of the Route and Service cards a router looks up (0: none) */
    this.routeEl = this.route ? nameIndex(`route:${this.route}`) : 0;
    this.serviceEl = this.service ? nameIndex(`svc:${this.service}`) : 0;
    if (this.client) names.clientKind.set(`client:${this.client}`, this.clientKind);
    /** @type {Hop[] | null} */
    this.unpacked = null;
  }

  /** The hops as objects (made once, on first use). @returns {Hop[]} */
  get hops() {
    if (this.unpacked) return this.unpacked;
    const w = this.w;
    const n = names.list;
    /** @type {Hop[]} */
    const hops = [];
    for (let o = WIRE.HEADER; o + WIRE.HOP <= w.length; o += WIRE.HOP) {
      const f = w[o + 5];
      /** @type {Hop} */
      const h = { kind: n[w[o]], from: n[w[o + 1]], to: n[w[o + 2]], src: '', dst: '', startMs: this.startMs + w[o + 3], endMs: this.startMs + w[o + 4] };
      if (f & HOP_FLAG.RESPONSE) h.response = true;
      if (f & HOP_FLAG.FAILED) h.failed = true;
      const enc = n[f >> HOP_FLAG.ENCAP_SHIFT];
      if (enc) h.encapsulation = enc;
      hops.push(h);
    }
    this.unpacked = hops;
    return hops;
  }
}

/**
 * Decodes a frame's requests.
 * @param {FramePayload} p
 * @returns {LiveRequest[]}
 */
export function decodeRequests(p) {
  const strings = p.strings || [''];
  return (p.requests || []).map((w) => new LiveRequest(w, strings));
}

/**
 * Parses one WebSocket message into envelopes. A message holds one JSON
 * envelope, or several when the server coalesced them (a JSON array, or
 * one envelope per line).
 * @param {string} data
 * @returns {Envelope[]}
 */
export function parseMessage(data) {
  const text = data.trim();
  if (text.startsWith('[')) return JSON.parse(text);
  if (!text.includes('\n')) return [JSON.parse(text)];
  return text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l));
}

/**
 * Formats virtual milliseconds as the page shows them: "12.3 s" under a
 * minute, "2:05.3" above (the same as web.SimTime in Go).
 * @param {number} ms
 * @returns {string}
 */
export function formatSimTime(ms) {
  const tenths = Math.floor(Math.max(0, ms) / 100);
  if (ms < 60000) return `${Math.floor(tenths / 10)}.${tenths % 10} s`;
  const secs = Math.floor(tenths / 10);
  return `${Math.floor(secs / 60)}:${String(secs % 60).padStart(2, '0')}.${tenths % 10}`;
}
