import type { AdminTopology, TopologyFormat } from '../interfaces/admin-topology.interface';

/** Mermaid and dot node ids: letters, digits and underscores only. */
function nodeId(name: string): string {
  return `n_${name.replace(/[^A-Za-z0-9]/g, '_')}`;
}

/** Text safe inside a double-quoted Mermaid or dot label. */
function quoted(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, "'")}"`;
}

function edgeLabel(edge: AdminTopology['edges'][number]): string {
  return edge.kind === 'rpc' ? `rpc ${edge.label}` : edge.topic ? `${edge.label} @ ${edge.topic}` : edge.label;
}

function mermaid(topology: AdminTopology): string {
  const lines = ['flowchart LR'];
  for (const n of topology.nodes) lines.push(`  ${nodeId(n.id)}[${quoted(n.instances > 0 ? `${n.id} (${n.instances})` : n.id)}]`);
  for (const e of topology.edges) {
    const arrow = e.kind === 'rpc' ? '-.->' : '-->';
    lines.push(`  ${nodeId(e.from)} ${arrow}|${quoted(edgeLabel(e))}| ${nodeId(e.to)}`);
  }
  return lines.join('\n');
}

function dot(topology: AdminTopology): string {
  const lines = ['digraph tributary {', '  rankdir=LR;', '  node [shape=box];'];
  for (const n of topology.nodes) lines.push(`  ${nodeId(n.id)} [label=${quoted(n.instances > 0 ? `${n.id} (${n.instances})` : n.id)}];`);
  for (const e of topology.edges) {
    const style = e.kind === 'rpc' ? ', style=dashed' : '';
    lines.push(`  ${nodeId(e.from)} -> ${nodeId(e.to)} [label=${quoted(edgeLabel(e))}${style}];`);
  }
  lines.push('}');
  return lines.join('\n');
}

/** The topology as Mermaid (`flowchart LR`; RPC edges dashed), Graphviz dot, or pretty JSON text. */
export function renderTopology(topology: AdminTopology, format: TopologyFormat): string {
  switch (format) {
    case 'mermaid':
      return mermaid(topology);
    case 'dot':
      return dot(topology);
    case 'json':
      return JSON.stringify(topology, null, 2);
    default:
      throw new Error(`unknown topology format "${String(format)}": use mermaid, dot or json`);
  }
}
