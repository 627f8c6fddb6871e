/**
 * Evaluates rendered NetworkPolicies the way the Kubernetes NetworkPolicy model defines them, for
 * the tests: may a pod reach another pod's port? A pod is isolated for a direction as soon as one
 * policy of its namespace selects it with that policy type; it is then reachable only where some
 * rule of such a policy allows the peer and the port. Both sides must allow a connection (the
 * source's egress and the destination's ingress). ipBlock peers never match a pod here.
 */
import type { Resource } from './kustomize-subset';

export interface Pod {
  namespace: string;
  labels: Record<string, string>;
  /** The pod's container ports by name, for policies that name a port. */
  ports?: Record<string, number>;
}
interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}
interface Peer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: unknown;
}
interface Rule {
  from?: Peer[];
  to?: Peer[];
  ports?: { protocol?: string; port?: number | string; endPort?: number }[];
}
interface PolicySpec {
  podSelector: LabelSelector;
  policyTypes?: string[];
  ingress?: Rule[];
  egress?: Rule[];
}

export function selectorMatches(selector: LabelSelector, labels: Record<string, string>): boolean {
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
  return (
    byLabels &&
    (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
      if (operator === 'In') return values.includes(labels[key]);
      if (operator === 'NotIn') return !values.includes(labels[key]);
      if (operator === 'Exists') return key in labels;
      if (operator === 'DoesNotExist') return !(key in labels);
      throw new Error(`unknown selector operator ${operator}`);
    })
  );
}

/** `namespaceLabels`: each namespace's labels (Kubernetes sets kubernetes.io/metadata.name). */
function peerMatches(peer: Peer, policyNamespace: string, other: Pod, namespaceLabels: (ns: string) => Record<string, string>): boolean {
  if (peer.ipBlock) return false;
  const inNamespace = peer.namespaceSelector ? selectorMatches(peer.namespaceSelector, namespaceLabels(other.namespace)) : other.namespace === policyNamespace;
  return inNamespace && (!peer.podSelector || selectorMatches(peer.podSelector, other.labels));
}

function portMatches(rule: Rule, pod: Pod, port: number): boolean {
  if (!rule.ports?.length) return true;
  return rule.ports.some((p) => {
    if ((p.protocol ?? 'TCP') !== 'TCP') return false;
    if (p.port === undefined) return true;
    const number = typeof p.port === 'number' ? p.port : pod.ports?.[p.port];
    return number !== undefined && port >= number && port <= (p.endPort ?? number);
  });
}

function allowedBy(policies: Resource[], direction: 'Ingress' | 'Egress', selected: Pod, other: Pod, portPod: Pod, port: number, namespaceLabels: (ns: string) => Record<string, string>): boolean {
  const applicable = policies.filter((policy) => {
    const spec = policy.spec as PolicySpec;
    const types = spec.policyTypes ?? (spec.egress ? ['Ingress', 'Egress'] : ['Ingress']);
    return (policy.metadata.namespace ?? 'default') === selected.namespace && types.includes(direction) && selectorMatches(spec.podSelector, selected.labels);
  });
  if (!applicable.length) return true; // not isolated in this direction
  return applicable.some((policy) => {
    const spec = policy.spec as PolicySpec;
    const rules = (direction === 'Ingress' ? spec.ingress : spec.egress) ?? [];
    return rules.some((rule) => {
      const peers = direction === 'Ingress' ? rule.from : rule.to;
      const peerOk = !peers?.length || peers.some((peer) => peerMatches(peer, selected.namespace, other, namespaceLabels));
      return peerOk && portMatches(rule, portPod, port);
    });
  });
}

const namespaceLabels = (ns: string) => ({ 'kubernetes.io/metadata.name': ns });

/** Does `destination`'s ingress side accept `source` on `port` (whatever the source's egress says)? */
export function admits(policies: Resource[], source: Pod, destination: Pod, port: number): boolean {
  return allowedBy(policies, 'Ingress', destination, source, destination, port, namespaceLabels);
}

/** May `source` open a TCP connection to `destination` on `port`: its egress and their ingress? */
export function canConnect(policies: Resource[], source: Pod, destination: Pod, port: number): boolean {
  return allowedBy(policies, 'Egress', source, destination, destination, port, namespaceLabels) && admits(policies, source, destination, port);
}
