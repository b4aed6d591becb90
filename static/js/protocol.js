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

/**
 * @typedef {object} Envelope
 * @property {string} type   one of MSG
 * @property {number} seq    increases by one per message on a connection
 * @property {number} t      virtual time in ms when the message was made
 * @property {string} [epoch] snapshots: the server run, sent back as ?epoch= on reconnect
 * @property {number} [wall]  frames: the server's wall clock when made, Unix ms
 * @property {SnapshotPayload | FramePayload | ErrorPayload} payload
 */

/**
 * @typedef {object} Clock
 * @property {number} timeMs  virtual time
 * @property {boolean} paused
 * @property {number} speed   virtual ms per wall ms (0.1–10)
 */

/**
 * @typedef {object} SnapshotPayload
 * @property {Snapshot} state
 * @property {Clock} clock
 */

/**
 * @typedef {object} FramePayload
 * @property {Clock} clock
 * @property {Request[]} [requests]  started since the last frame, not yet finished
 * @property {LogEvent[]} [log]
 * @property {Snapshot} [state]      only when the cluster changed
 * @property {Metrics} [metrics]     at most a few times a second
 * @property {number} [sampled]      1 = every request shown; k = 1 in k
 */

/**
 * @typedef {object} ErrorPayload
 * @property {string} error
 */

/**
 * @typedef {object} Snapshot
 * @property {number} timeMs
 * @property {number} seed
 * @property {{name: string, baseDomain: string, ingressDomain: string, region: string, zones: string[], openShiftVersion: string}} cluster
 * @property {NodeView[]} nodes
 * @property {LoadBalancerView} loadBalancer
 * @property {{record: string, answer: string[]}} dns
 * @property {RouterView[]} routers
 * @property {DeploymentView[]} deployments
 * @property {PodView[]} pods
 * @property {ServiceView[]} services
 * @property {RouteView[]} routes
 * @property {Metrics} metrics
 */

/**
 * @typedef {object} NodeView
 * @property {string} name
 * @property {string} role   "worker" or "control-plane"
 * @property {string} zone
 * @property {string} ip
 * @property {boolean} ready
 * @property {string[]} podCIDRBlocks
 */

/**
 * @typedef {object} LoadBalancerView
 * @property {string} type
 * @property {boolean} crossZone
 * @property {{zone: string, ip: string, inDNS: boolean}[]} zones
 * @property {{node: string, zone: string, healthy: boolean, passing: boolean}[]} targets
 */

/**
 * @typedef {object} RouterView
 * @property {string} name
 * @property {string} namespace
 * @property {string} node
 * @property {string} ip
 * @property {boolean} ready
 */

/**
 * @typedef {object} DeploymentView
 * @property {string} namespace
 * @property {string} name
 * @property {number} replicas       desired
 * @property {number} readyReplicas
 */

/**
 * @typedef {object} PodView
 * @property {string} namespace
 * @property {string} name
 * @property {string} ip
 * @property {string} node
 * @property {string} phase          Pending, Running
 * @property {boolean} ready
 * @property {boolean} live
 * @property {boolean} terminating
 * @property {string} owner
 * @property {boolean} router
 */

/**
 * @typedef {object} ServiceView
 * @property {string} namespace
 * @property {string} name
 * @property {string} clusterIP
 * @property {{pod: string, ip: string, port: number, ready: boolean}[]} endpoints
 */

/**
 * @typedef {object} RouteView
 * @property {string} namespace
 * @property {string} name
 * @property {string} host
 * @property {boolean} admitted
 */

/**
 * @typedef {object} Metrics
 * @property {number} requests
 * @property {Object<string, number>} statusCodes
 * @property {Object<string, number>} byPod
 * @property {Object<string, number>} [byService]
 */

/**
 * @typedef {object} Request
 * @property {number} id
 * @property {string} client
 * @property {string} clientKind
 * @property {string} url
 * @property {number} startMs
 * @property {number} endMs
 * @property {number} status     0 when no HTTP answer came
 * @property {string} outcome    ok, http-error, refused, reset, timeout, dropped
 * @property {string} [pod]
 * @property {string} [service]
 * @property {string} [route]
 * @property {string} [reason]
 * @property {Hop[]} hops
 */

/**
 * @typedef {object} Hop
 * @property {string} kind     one of HOP
 * @property {string} from     element id: internet, client:<id>, dns, lb:<zone>, node:<name>, pod:<ns>/<name>
 * @property {string} to
 * @property {string} src      ip:port
 * @property {string} dst      ip:port
 * @property {string} [encapsulation]  vxlan, ipip
 * @property {number} startMs
 * @property {number} endMs
 * @property {boolean} [response]
 * @property {boolean} [failed]
 */

/**
 * @typedef {object} LogEvent
 * @property {number} timeMs
 * @property {string} kind     pod, endpoints, router, lb, dns, node, route, command
 * @property {string} object
 * @property {string} message
 */

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
