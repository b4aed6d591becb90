// @ts-check
// The WebSocket protocol's JSON shapes, as JSDoc types for editors and
// review. Nothing imports this file at run time (only `import('./wire.js')`
// in type comments), so the page never downloads it. Mirrored from
// server/protocol.go and model's JSON; docs/contract.md is the source of truth.

/** @typedef {import('./protocol.js').LiveRequest} LiveRequest */

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
 * @property {string[]} [strings]    the string table of `requests` (entry 0 is "")
 * @property {WireRequest[]} [requests]  started since the last frame, not yet finished (compact, see WireRequest)
 * @property {LogEvent[]} [log]
 * @property {Snapshot} [state]      only when the cluster changed
 * @property {Metrics} [metrics]     at most a few times a second
 * @property {number} [sampled]      1 = every request shown; k = 1 in k
 * @property {CommandEcho[]} [commands] commands accepted since the last frame
 */

/**
 * Every HTTP error's body and an error envelope's payload (server/errors.go).
 * @typedef {object} ErrorPayload
 * @property {string} error   the whole message, for people
 * @property {string} code    what kind: invalid, not_found, forbidden, … (docs/api.md, Errors)
 * @property {string} [field]  the JSON path of the field at fault
 * @property {string} [reason] what is wrong with that field
 */

/**
 * An accepted command, as a frame carries it.
 * @typedef {object} CommandEcho
 * @property {string} type
 * @property {string} oc  its oc equivalent, computed by the server
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
 * @property {{cni: string, encapsulation: string, kubeProxyMode: string, sourceDestCheck: boolean}} [network]
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
 * @property {LatencyWindow} [latency]
 * @property {MetricsPoint[]} [history]  oldest first, ≤ 120; frames carry only the newest 5
 */

/**
 * Latency of the responses completed in the last 10 complete seconds of
 * virtual time, every request (not only those drawn); 0 when count is 0.
 * @typedef {object} LatencyWindow
 * @property {number} windowMs
 * @property {number} count
 * @property {number} p50Ms
 * @property {number} p95Ms
 */

/**
 * One second of virtual time: responses completed in it, errors (≥ 500 or
 * no HTTP answer) and their latency percentiles (0 when requests is 0).
 * @typedef {object} MetricsPoint
 * @property {number} t  the second's start, virtual ms
 * @property {number} requests
 * @property {number} errors
 * @property {number} p50Ms
 * @property {number} p95Ms
 */

/**
 * A live request as a frame carries it (server/wire.go): one flat array
 * of integers, every string an index into the frame's `strings`:
 *
 *     [id, startMs, endMs, status, outcome, client, clientKind, url,
 *      pod, service, route, reason,
 *      kind, from, to, startDelta, endDelta, flags,   ← hop 0
 *      kind, from, to, startDelta, endDelta, flags, … ← hop 1 …]
 *
 * Hop times are relative to startMs; flags = 1 (response) | 2 (failed) |
 * encapsulation << 2 (a string index, 0: none). Addresses are not sent
 * live (the inspector traces the request again through /api/trace).
 * @typedef {number[]} WireRequest
 */

/**
 * A live request as the page holds it (a LiveRequest); the JSON of
 * /api/trace has the same fields, with addresses and notes on the hops.
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
