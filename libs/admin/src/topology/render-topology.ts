import type { AdminTopology, TopologyFormat } from '../interfaces/admin-topology.interface';

/** The topology as Mermaid (`flowchart LR`), Graphviz dot, or pretty JSON text. */
export function renderTopology(topology: AdminTopology, format: TopologyFormat): string {
  void topology;
  void format;
  throw new Error('TODO');
}
