import type { Command } from 'commander';
import { lastValueFrom, tap } from 'rxjs';
import { deadLetterFilterOf, deadLetterSelectionOf, type DeadLetterCliOptions } from '../cli-arguments';
import { printJson, type CliContext } from '../cli-context';
import { createProgressReporter } from '../progress-reporter';
import { formatTable } from '../table-format';

const collect = (value: string, previous: string[] = []) => [...previous, value];

function filterOptions(command: Command): Command {
  return command
    .option('--topic <topic>', 'dead-letter topic')
    .option('--projection <name>', 'projection that dropped them')
    .option('--reason <reason>', 'e.g. handler-failed, undecodable')
    .option('--error <text>', 'text in the error')
    .option('--type <type>', 'event type')
    .option('--since <date>', 'failed at or after (ISO)')
    .option('--until <date>', 'failed before (ISO)');
}

/** `tributary dlq list|replay|archive`. */
export function registerDlqCommands(program: Command, ctx: CliContext): void {
  const dlq = program.command('dlq').description('dead letters of the projections');

  filterOptions(dlq.command('list').description('dead letters waiting for an operator'))
    .option('--limit <n>', 'most dead letters', '100')
    .option('--include-handled', 'also replayed and archived ones')
    .option('--show-payloads', 'include payloads (when the app allows it)')
    .option('--json', 'print JSON')
    .action(async (o: DeadLetterCliOptions & { json?: boolean }) => {
      const letters = await (await ctx.admin()).deadLetters(deadLetterFilterOf(o));
      if (o.json) return printJson(ctx, letters);
      ctx.io.out(
        letters.length
          ? formatTable(
              ['ID', 'PROJECTION', 'REASON', 'TYPE', 'FAILED AT', 'STATE', 'ERROR'],
              letters.map((l) => [l.id, l.projection, l.reason, l.eventType, l.failedAt, l.disposition ?? 'waiting', l.error.slice(0, 80)]),
            )
          : 'no dead letters',
      );
    });

  filterOptions(
    dlq
      .command('replay')
      .description('send dead letters back to the projection that dropped them (after a fix)')
      .option('--id <id>', 'a dead letter id <topic>/<partition>/<offset> (repeatable)', collect)
      .option('--all', 'every waiting dead letter'),
  ).action(async (o: DeadLetterCliOptions) => {
    const selection = deadLetterSelectionOf(o, 'replay');
    const admin = await ctx.admin();
    const reporter = createProgressReporter(ctx.io, 'replay dead letters');
    try {
      const last = await lastValueFrom(admin.replayDeadLetters(selection, ctx.actor()).pipe(tap((p) => reporter.update(p))));
      reporter.stop();
      ctx.io.out(`replayed ${last.done} dead letters`);
    } finally {
      reporter.stop();
    }
  });

  filterOptions(
    dlq
      .command('archive')
      .description('skip dead letters for good (hidden from `dlq list`)')
      .option('--id <id>', 'a dead letter id <topic>/<partition>/<offset> (repeatable)', collect)
      .option('--all', 'every waiting dead letter'),
  ).action(async (o: DeadLetterCliOptions) => {
    const selection = deadLetterSelectionOf(o, 'archive');
    const result = await (await ctx.admin()).archiveDeadLetters(selection, ctx.actor());
    ctx.io.out(`archived ${result.affected} dead letters`);
  });
}
