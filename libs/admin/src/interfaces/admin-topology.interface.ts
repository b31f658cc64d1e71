/** A service in the topology graph. */
export interface AdminTopologyNode {
  /** Service name (or `external` for events whose publisher is not in the registry). */
  id: string;
  /** Live instances (0 for `external`). */
  instances: number;
  versions: string[];
}

/** Who talks to whom: an event from its publisher to a consumer, or an RPC method to its server. */
export interface AdminTopologyEdge {
  from: string;
  to: string;
  kind: 'event' | 'rpc';
  /** Event type, or RPC method. */
  label: string;
  /** Topic of an event edge. */
  topic?: string;
  /** Consumers of an event edge inside `to` (e.g. `projection:orders-view`), or transports of an RPC edge. */
  via?: string[];
}

/** The live topology built from the registry. */
export interface AdminTopology {
  nodes: AdminTopologyNode[];
  edges: AdminTopologyEdge[];
}

/** Output formats of `renderTopology`. */
export type TopologyFormat = 'mermaid' | 'dot' | 'json';
