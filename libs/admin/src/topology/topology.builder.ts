import type { Catalogue } from '@tributary/discovery';
import type { AdminTopology, AdminTopologyEdge, AdminTopologyNode } from '../interfaces/admin-topology.interface';

/** Node of events whose publisher is not in the registry. */
export const EXTERNAL_NODE = 'external';
/** Node standing for the callers of RPC methods (the registry records servers, not callers). */
export const CALLERS_NODE = 'callers';

/** The service graph of a catalogue: event edges publisher → consumer service, RPC edges callers → server. */
export function buildTopology(catalogue: Catalogue): AdminTopology {
  const nodes = new Map<string, AdminTopologyNode>(
    catalogue.services.map((s) => [s.service, { id: s.service, instances: s.instances, versions: [...s.versions] }]),
  );
  const edges: AdminTopologyEdge[] = [];
  const pseudo = (id: string) => {
    if (!nodes.has(id)) nodes.set(id, { id, instances: 0, versions: [] });
  };
  for (const event of catalogue.events) {
    const consumersByService = new Map<string, string[]>();
    for (const c of event.consumers) consumersByService.set(c.service, [...(consumersByService.get(c.service) ?? []), c.consumer]);
    const publishers = event.publishers.length > 0 ? event.publishers : consumersByService.size > 0 ? [EXTERNAL_NODE] : [];
    if (publishers.includes(EXTERNAL_NODE)) pseudo(EXTERNAL_NODE);
    for (const from of publishers) {
      for (const [to, via] of consumersByService) edges.push({ from, to, kind: 'event', label: event.type, topic: event.topic, via });
    }
  }
  for (const method of catalogue.methods) {
    pseudo(CALLERS_NODE);
    for (const to of method.services) edges.push({ from: CALLERS_NODE, to, kind: 'rpc', label: method.method, via: [...method.transports] });
  }
  const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
  return {
    nodes: [...nodes.values()].sort(byId),
    edges: edges.sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to) || a.kind.localeCompare(b.kind) || a.label.localeCompare(b.label)),
  };
}
