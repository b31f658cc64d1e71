import type { Command } from 'commander';
import { printJson, type CliContext } from '../cli-context';
import { formatTable } from '../table-format';

/** `tributary status`: services and instances, outbox backlog, projection lag, dead-letter topics. */
export function registerStatusCommand(program: Command, ctx: CliContext): void {
  program
    .command('status')
    .description('services and instances, outbox backlog, projection lag, dead-letter topics')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const admin = await ctx.admin();
      const [services, outbox, projections, deadLetterTopics] = await Promise.all([
        admin.services(),
        admin.outboxStatus(),
        admin.projections(),
        admin.deadLetterTopics(),
      ]);
      if (o.json) return printJson(ctx, { services, outbox, projections, deadLetterTopics });
      const instances = services.flatMap((s) => s.instances.map((i) => [s.service, i.id, i.version, i.host, i.alive ? 'alive' : 'stale', i.heartbeatAt]));
      ctx.io.out(instances.length ? formatTable(['SERVICE', 'INSTANCE', 'VERSION', 'HOST', 'STATE', 'HEARTBEAT'], instances) : 'no services in the registry');
      if (outbox) {
        ctx.io.out('');
        ctx.io.out(
          formatTable(['OUTBOX', 'PENDING', 'OLDEST', 'RETRYING', 'DEAD'], [[outbox.table, outbox.pending, outbox.oldestPendingAgeSeconds === null ? '-' : `${outbox.oldestPendingAgeSeconds}s`, outbox.retrying, outbox.dead]]),
        );
      }
      if (projections.length) {
        ctx.io.out('');
        ctx.io.out(formatTable(['PROJECTION', 'SERVICE', 'STATE', 'LAG'], projections.map((p) => [p.name, p.service, p.state, p.lag])));
      }
      ctx.io.out('');
      ctx.io.out(`dead-letter topics: ${deadLetterTopics.length ? deadLetterTopics.join(', ') : 'none'}`);
    });
}
