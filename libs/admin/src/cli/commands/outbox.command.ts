import type { Command } from 'commander';
import { deadRowFilterOf, deadRowSelectionOf, type DeadRowCliOptions } from '../cli-arguments';
import { printJson, type CliContext } from '../cli-context';
import { createProgressReporter } from '../progress-reporter';
import { formatTable } from '../table-format';

const collect = (value: string, previous: string[] = []) => [...previous, value];

function filterOptions(command: Command): Command {
  return command
    .option('--type <type>', 'event type')
    .option('--key <key>', 'message key')
    .option('--error <text>', 'text in the last error')
    .option('--since <date>', 'created at or after (ISO)')
    .option('--until <date>', 'created before (ISO)');
}

/** `tributary outbox dead list|requeue|purge`. */
export function registerOutboxCommands(program: Command, ctx: CliContext): void {
  const dead = program.command('outbox').description('the app outbox (app mode)').command('dead').description('rows that exhausted their attempts');

  filterOptions(dead.command('list').description('list dead rows'))
    .option('--limit <n>', 'most rows', '100')
    .option('--show-payloads', 'include payloads (when the app allows it)')
    .option('--json', 'print JSON')
    .action(async (o: DeadRowCliOptions & { json?: boolean }) => {
      const filter = deadRowFilterOf(o);
      const rows = await (await ctx.admin()).deadOutboxRows(filter);
      if (o.json) return printJson(ctx, rows);
      ctx.io.out(
        rows.length
          ? formatTable(['ID', 'TYPE', 'KEY', 'ATTEMPTS', 'CREATED', 'ERROR'], rows.map((r) => [r.id, r.type, r.key, r.attempts, r.createdAt, (r.lastError ?? '').slice(0, 80)]))
          : 'no dead rows',
      );
    });

  for (const verb of ['requeue', 'purge'] as const) {
    filterOptions(
      dead
        .command(verb)
        .description(verb === 'requeue' ? 'give dead rows a fresh attempt budget (they ship again)' : 'delete dead rows for good')
        .option('--id <id>', 'a dead row id (repeatable)', collect)
        .option('--all', 'every dead row'),
    ).action(async (o: DeadRowCliOptions) => {
      const selection = deadRowSelectionOf(o, verb);
      const admin = await ctx.admin();
      const progress = createProgressReporter(ctx.io, `${verb} dead rows`);
      try {
        const result =
          verb === 'requeue'
            ? await admin.requeueDeadOutboxRows(selection, ctx.actor(), (p) => progress.update(p))
            : await admin.purgeDeadOutboxRows(selection, ctx.actor(), (p) => progress.update(p));
        progress.stop();
        ctx.io.out(`${verb === 'requeue' ? 'requeued' : 'purged'} ${result.affected} of ${result.selected} selected dead rows`);
      } finally {
        progress.stop();
      }
    });
  }
}
