import type { Command } from 'commander';
import { renderTopology } from '../../topology/render-topology';
import { parseTopologyFormat } from '../cli-arguments';
import type { CliContext } from '../cli-context';
import { formatTable } from '../table-format';

/** `tributary topology`: who publishes, consumes and serves what. */
export function registerTopologyCommand(program: Command, ctx: CliContext): void {
  program
    .command('topology')
    .description('who publishes, consumes and serves what (live services)')
    .option('--format <format>', 'table, mermaid, dot or json', undefined)
    .option('--json', 'same as --format json')
    .action(async (o: { format?: string; json?: boolean }) => {
      const format = parseTopologyFormat(o.format, o.json);
      const topology = await (await ctx.admin()).topology();
      if (format !== 'table') return ctx.io.out(renderTopology(topology, format));
      const rows = topology.edges.map((e) => [e.from, e.to, e.kind, e.label, e.topic ?? (e.via ?? []).join(',')]);
      ctx.io.out(rows.length ? formatTable(['FROM', 'TO', 'KIND', 'EVENT/METHOD', 'TOPIC/VIA'], rows) : 'no edges: no live service publishes, consumes or serves anything');
    });
}
