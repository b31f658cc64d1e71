import type { Command } from 'commander';
import { lastValueFrom, tap } from 'rxjs';
import { printJson, type CliContext } from '../cli-context';
import { createProgressReporter } from '../progress-reporter';
import { formatTable } from '../table-format';

/** `tributary projections list|rebuild <name>`. */
export function registerProjectionsCommands(program: Command, ctx: CliContext): void {
  const projections = program.command('projections').description('read models: lag, state, rebuild');

  projections
    .command('list')
    .description('projections with lag per partition, state, last error and last rebuild')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const list = await (await ctx.admin()).projections();
      if (o.json) return printJson(ctx, list);
      const rows = list.flatMap((p) =>
        p.partitions.map((part) => [p.name, p.state, `${part.topic}[${part.partition}]`, part.checkpoint, part.highWatermark, part.lag, p.rebuild ? `${Math.floor(p.rebuild.progress.ratio * 100)}%` : '', p.lastError ?? '']),
      );
      ctx.io.out(rows.length ? formatTable(['PROJECTION', 'STATE', 'PARTITION', 'CHECKPOINT', 'HIGH', 'LAG', 'REBUILD', 'LAST ERROR'], rows) : 'no projections');
    });

  projections
    .command('rebuild')
    .description('empty a projection and replay its topics from the start, with progress (app mode)')
    .argument('<name>', 'projection name (see `tributary projections list`)')
    .action(async (name: string) => {
      const admin = await ctx.admin();
      const progress = await admin.rebuildProjection(name, ctx.actor());
      const reporter = createProgressReporter(ctx.io, `rebuild ${name}`);
      try {
        await lastValueFrom(progress.pipe(tap((p) => reporter.update(p))));
      } finally {
        reporter.stop();
      }
    });
}
