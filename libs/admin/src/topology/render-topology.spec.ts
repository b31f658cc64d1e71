import type { Catalogue } from '@tributary/discovery';
import { renderTopology } from './render-topology';
import { buildTopology } from './topology.builder';

const catalogue: Catalogue = {
  services: [
    { service: 'orders', versions: ['1.0.0'], instances: 2, publishes: [], consumes: [], serves: [] },
    { service: 'inventory', versions: ['1.1.0'], instances: 1, publishes: [], consumes: [], serves: [] },
  ],
  events: [
    { type: 'orders.order-placed', topic: 'orders.events', publishers: ['orders'], consumers: [{ service: 'inventory', consumer: 'projection:stock' }] },
    { type: 'legacy.thing', topic: 'legacy', publishers: [], consumers: [{ service: 'orders', consumer: 'projection:legacy' }] },
  ],
  methods: [{ method: 'inventory.reserve', services: ['inventory'], transports: ['kafka', 'tcp'] }],
};

describe('buildTopology', () => {
  it('draws event edges publisher → consumer, unknown publishers as external, RPC from callers', () => {
    const t = buildTopology(catalogue);
    expect(t.nodes.map((n) => n.id)).toEqual(['callers', 'external', 'inventory', 'orders']);
    expect(t.edges).toEqual([
      { from: 'callers', to: 'inventory', kind: 'rpc', label: 'inventory.reserve', via: ['kafka', 'tcp'] },
      { from: 'external', to: 'orders', kind: 'event', label: 'legacy.thing', topic: 'legacy', via: ['projection:legacy'] },
      { from: 'orders', to: 'inventory', kind: 'event', label: 'orders.order-placed', topic: 'orders.events', via: ['projection:stock'] },
    ]);
  });
});

describe('renderTopology', () => {
  const topology = buildTopology(catalogue);

  it('renders Mermaid with safe ids, instance counts and dashed RPC edges', () => {
    expect(renderTopology(topology, 'mermaid')).toBe(
      [
        'flowchart LR',
        '  n_callers["callers"]',
        '  n_external["external"]',
        '  n_inventory["inventory (1)"]',
        '  n_orders["orders (2)"]',
        '  n_callers -.->|"rpc inventory.reserve"| n_inventory',
        '  n_external -->|"legacy.thing @ legacy"| n_orders',
        '  n_orders -->|"orders.order-placed @ orders.events"| n_inventory',
      ].join('\n'),
    );
  });

  it('renders dot', () => {
    const dot = renderTopology(topology, 'dot');
    expect(dot.split('\n')[0]).toBe('digraph tributary {');
    expect(dot).toContain('n_orders -> n_inventory [label="orders.order-placed @ orders.events"];');
    expect(dot).toContain('n_callers -> n_inventory [label="rpc inventory.reserve", style=dashed];');
    expect(dot.trimEnd().endsWith('}')).toBe(true);
  });

  it('renders JSON that parses back to the topology', () => {
    expect(JSON.parse(renderTopology(topology, 'json'))).toEqual(topology);
  });

  it('quotes names that would break the syntax', () => {
    const text = renderTopology({ nodes: [{ id: 'a "b"-c', instances: 1, versions: [] }], edges: [] }, 'mermaid');
    expect(text).toContain(`n_a__b__c["a 'b'-c (1)"]`);
  });

  it('rejects an unknown format', () => {
    expect(() => renderTopology(topology, 'svg' as never)).toThrow(/use mermaid, dot or json/);
  });
});
