import { Command, CommanderError } from 'commander';
import { userInfo } from 'node:os';
import { AdminArgumentException } from '../exceptions/admin-argument.exception';
import type { AdminActor } from '../interfaces/admin-action.interface';
import type { TributaryAdmin } from '../tributary-admin.service';
import type { CliContext } from './cli-context';
import type { CliIo } from './cli-io';
import { CliUsageError } from './cli-usage.error';
import { registerDlqCommands } from './commands/dlq.command';
import { registerOutboxCommands } from './commands/outbox.command';
import { registerProjectionsCommands } from './commands/projections.command';
import { registerStatusCommand } from './commands/status.command';
import { registerTopologyCommand } from './commands/topology.command';

/** Exit codes of the `tributary` CLI. */
export const CliExitCode = { OK: 0, FAILURE: 1, USAGE: 2 } as const;

/** Options every command accepts, before or after the command name. */
export interface CliGlobalOptions {
  brokers?: string;
  registryTopic?: string;
  actor?: string;
}

/** Boots what the commands need (a Nest application context) and closes it afterwards. */
export type CliBoot = (globals: CliGlobalOptions) => Promise<{ admin: TributaryAdmin; close(): Promise<void> }>;

function defaultActorName(): string {
  if (process.env.TRIBUTARY_ACTOR) return process.env.TRIBUTARY_ACTOR;
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** The commander program with every command; actions boot through `ctx.admin()`. */
export function buildCliProgram(ctx: CliContext): Command {
  const program = new Command('tributary')
    .description('Operate a Tributary system: registry, topology, outbox dead rows, projections, dead letters.')
    .option('--brokers <list>', 'Kafka brokers host:port,... (cluster mode; default $KAFKA_BROKERS)')
    .option('--registry-topic <topic>', 'discovery registry topic (cluster mode)', undefined)
    .option('--actor <name>', 'who acts, for the action log (default $TRIBUTARY_ACTOR or the OS user)')
    .exitOverride()
    .showHelpAfterError('(run `tributary --help` or `tributary <command> --help` for usage)')
    .configureOutput({
      writeOut: (s) => ctx.io.out(s.replace(/\n$/, '')),
      writeErr: (s) => ctx.io.err(s.replace(/\n$/, '')),
    });
  registerStatusCommand(program, ctx);
  registerTopologyCommand(program, ctx);
  registerOutboxCommands(program, ctx);
  registerProjectionsCommands(program, ctx);
  registerDlqCommands(program, ctx);
  return program;
}

/**
 * Run the CLI on `argv` (as `process.argv`: node, script, args...) and resolve to its exit code:
 * 0 ok, 1 failure, 2 usage error (with a message that says what to type instead).
 */
export async function executeCli(argv: string[], io: CliIo, boot: CliBoot): Promise<number> {
  let booted: Awaited<ReturnType<CliBoot>> | undefined;
  let program: Command | undefined;
  const ctx: CliContext = {
    io,
    admin: async () => {
      booted ??= await boot(program!.opts<CliGlobalOptions>());
      return booted.admin;
    },
    actor: (): AdminActor => ({ name: program!.opts<CliGlobalOptions>().actor ?? defaultActorName(), via: 'cli' }),
  };
  program = buildCliProgram(ctx);
  try {
    await program.parseAsync(argv);
    return CliExitCode.OK;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? CliExitCode.OK : CliExitCode.USAGE;
    if (e instanceof CliUsageError) {
      io.err(`error: ${e.message}`);
      if (e.usage) io.err(`usage: ${e.usage}`);
      return CliExitCode.USAGE;
    }
    if (e instanceof AdminArgumentException) {
      io.err(`error: ${e.message}`);
      return CliExitCode.USAGE;
    }
    io.err(`error: ${(e as Error)?.message ?? String(e)}`);
    return CliExitCode.FAILURE;
  } finally {
    await booted?.close().catch((e: unknown) => io.err(`warn: shutdown: ${(e as Error).message}`));
  }
}
