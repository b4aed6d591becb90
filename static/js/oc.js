// @ts-check
// The oc command that does on a real cluster what a command does here.
// Pure functions: a command (the JSON of POST /api/commands) in, a shell
// line (or a few) out. Where no oc command exists (a failing probe, a
// stopped instance, the clients' traffic) the text says what the
// equivalent is, as a shell comment.

/** @typedef {import('./wire.js').Snapshot} Snapshot */

const INGRESS_OPERATOR = 'openshift-ingress-operator';

/**
 * Quotes a string for a POSIX shell (single quotes).
 * @param {string} s
 */
export function shq(s) {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** @param {unknown} v */
const patch = (v) => shq(JSON.stringify(v));

/** Calico IPPool modes for a podpath encapsulation setting. */
const POOL = {
  VXLAN: { vxlanMode: 'Always', ipipMode: 'Never' },
  IPIP: { ipipMode: 'Always', vxlanMode: 'Never' },
  VXLANCrossSubnet: { vxlanMode: 'CrossSubnet', ipipMode: 'Never' },
  IPIPCrossSubnet: { ipipMode: 'CrossSubnet', vxlanMode: 'Never' },
  None: { vxlanMode: 'Never', ipipMode: 'Never' },
};

/**
 * The oc equivalent of one command.
 * @param {Record<string, any>} c a command
 * @param {Snapshot | null} [s] the current state, for names
 * @returns {string}
 */
export function ocFor(c, s = null) {
  switch (c.type) {
    case 'scale':
      return `oc scale deployment/${shq(c.deployment)} -n ${shq(c.namespace)} --replicas=${c.replicas}`;
    case 'scaleRouters':
      return `oc patch ingresscontroller/default -n ${INGRESS_OPERATOR} --type=merge -p ${patch({ spec: { replicas: c.replicas } })}`;
    case 'deletePod':
      return `oc delete pod ${shq(c.pod)} -n ${shq(c.namespace)}`;
    case 'setPodReady':
      return c.ready
        ? `# equivalent: the readiness probe passes again; the pod returns to the EndpointSlice\noc get pod ${shq(c.pod)} -n ${shq(c.namespace)} -w`
        : `# equivalent: the readiness probe fails (how is app-specific); the pod leaves the EndpointSlice and is NOT restarted\noc get endpointslices -n ${shq(c.namespace)} -w`;
    case 'setPodLive':
      return c.live
        ? `# equivalent: the liveness probe passes again\noc get pod ${shq(c.pod)} -n ${shq(c.namespace)} -w`
        : `# equivalent: the liveness probe fails (how is app-specific); the kubelet restarts the container (RESTARTS +1)\noc get pod ${shq(c.pod)} -n ${shq(c.namespace)} -w`;
    case 'setNodeReady':
      return c.ready
        ? `# equivalent: the EC2 instance is back (aws ec2 start-instances --instance-ids <id>)\noc get node ${shq(c.node)} -w`
        : `# equivalent: the EC2 instance stops (aws ec2 stop-instances --instance-ids <id>)\noc get node ${shq(c.node)} -w`;
    case 'setZoneDown':
      return `# equivalent: ${c.down ? 'an outage of' : 'recovery of'} availability zone ${c.zone}; no oc command\noc get nodes -l topology.kubernetes.io/zone=${shq(c.zone)} -w`;
    case 'setLoadBalancer': {
      const out = [];
      if (c.lbType) {
        out.push(
          `oc patch ingresscontroller/default -n ${INGRESS_OPERATOR} --type=merge -p ${patch({
            spec: {
              endpointPublishingStrategy: {
                type: 'LoadBalancerService',
                loadBalancer: { scope: 'External', providerParameters: { type: 'AWS', aws: { type: c.lbType } } },
              },
            },
          })}`,
        );
        out.push('# the load balancer is recreated: new DNS name, minutes of disruption');
      }
      if (typeof c.crossZone === 'boolean') {
        out.push(
          `# cross-zone load balancing is an attribute of the AWS load balancer (off as OpenShift creates it)\noc annotate service/router-default -n openshift-ingress service.beta.kubernetes.io/aws-load-balancer-cross-zone-load-balancing-enabled=${c.crossZone} --overwrite`,
        );
      }
      return out.join('\n');
    }
    case 'setNetwork': {
      const out = [];
      if (c.encapsulation) {
        const mode = POOL[/** @type {keyof typeof POOL} */ (c.encapsulation)] || {};
        out.push(`oc patch ippool/default-ipv4-ippool --type=merge -p ${patch({ spec: mode })}`);
      }
      if (c.kubeProxyMode) {
        out.push(
          `oc patch network.operator.openshift.io/cluster --type=merge -p ${patch({
            spec: { kubeProxyConfig: { proxyArguments: { 'proxy-mode': [c.kubeProxyMode] } } },
          })}`,
        );
      }
      if (typeof c.sourceDestCheck === 'boolean') {
        out.push(`# per worker instance:\naws ec2 modify-instance-attribute --instance-id <id> --${c.sourceDestCheck ? '' : 'no-'}source-dest-check`);
      }
      return out.join('\n');
    }
    case 'setOpenShiftVersion':
      return `# the router's default balance follows the version (leastconn up to 4.10, random from 4.11)\noc adm upgrade channel stable-${shq(c.version)}\noc adm upgrade --to-latest`;
    case 'setTraffic':
      return `# traffic comes from the clients, not from oc; for example ${c.rps} requests per second:\nhey -z 60s -q ${Math.max(1, Math.round(c.rps))} -c 1 ${shq(firstURL(c, s))}`;
    case 'apply':
      return `oc apply -f - <<'EOF'\n${toYAML(c.object)}EOF`;
    case 'delete':
      return `oc delete ${String(c.kind).toLowerCase()}/${shq(c.name)} -n ${shq(c.namespace)}`;
    case 'trace':
      return `curl -v ${c.client === 'browser' ? '--cookie-jar jar --cookie jar ' : ''}${shq(c.url)}`;
  }
  return `# ${c.type}: no oc equivalent`;
}

/**
 * @param {Record<string, any>} c
 * @param {Snapshot | null} s
 */
function firstURL(c, s) {
  const mix = c.mix || s?.traffic?.mix || [];
  const m = mix.find((/** @type {any} */ x) => !x.from);
  return m ? m.url : 'https://<route host>/';
}

/**
 * A small YAML writer for Kubernetes objects: maps, lists, strings,
 * numbers and booleans. Strings are quoted when YAML could read them as
 * something else.
 * @param {unknown} v
 * @param {number} [indent]
 * @returns {string} ends with a newline
 */
export function toYAML(v, indent = 0) {
  const pad = ' '.repeat(indent);
  if (Array.isArray(v)) {
    if (!v.length) return `${pad}[]\n`;
    return v
      .map((item) => {
        if (item && typeof item === 'object') {
          const inner = toYAML(item, indent + 2);
          return `${pad}- ${inner.slice(indent + 2)}`;
        }
        return `${pad}- ${scalar(item)}\n`;
      })
      .join('');
  }
  if (v && typeof v === 'object') {
    const entries = Object.entries(v).filter(([, x]) => x !== undefined);
    if (!entries.length) return `${pad}{}\n`;
    return entries
      .map(([k, x]) => {
        const key = scalar(k);
        if (x && typeof x === 'object' && (Array.isArray(x) ? x.length : Object.keys(x).length)) {
          return `${pad}${key}:\n${toYAML(x, Array.isArray(x) ? indent : indent + 2)}`;
        }
        if (x && typeof x === 'object') return `${pad}${key}: ${Array.isArray(x) ? '[]' : '{}'}\n`;
        return `${pad}${key}: ${scalar(x)}\n`;
      })
      .join('');
  }
  return `${pad}${scalar(v)}\n`;
}

/** @param {unknown} x */
function scalar(x) {
  if (typeof x === 'number' || typeof x === 'boolean') return String(x);
  if (x === null || x === undefined) return 'null';
  const s = String(x);
  const plain = /^[A-Za-z_/][A-Za-z0-9_./-]*$/.test(s) && !/^(true|false|yes|no|on|off|null|y|n|~)$/i.test(s);
  return plain ? s : JSON.stringify(s);
}
