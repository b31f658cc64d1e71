/*
 * A projection in its own process, for the crash test: the parent SIGKILLs it mid-batch and starts
 * it again. Configured by environment variables (see `CrashWorkerEnv` in crash.e2e-spec.ts).
 * Prints `applying <n>` while handlers run (inside uncommitted transactions) so the parent can kill
 * it at a moment when a batch is half applied.
 */
import 'reflect-metadata';
import { IntegrationEvent } from '@tributary/kafka';
import { On, Projection, type ProjectionContext } from '@tributary/projections';
import { IsInt, IsString } from 'class-validator';
import { logApplication, openDataSource, startProjectionsApp } from './support/projection-fixtures';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

async function main(): Promise<void> {
  const log = env('CRASH_LOG_TABLE');

  @IntegrationEvent({ type: env('CRASH_EVENT_TYPE'), topic: env('CRASH_TOPIC'), key: 'counterId' })
  class CounterIncremented {
    @IsString() counterId!: string;
    @IsInt() amount!: number;
    @IsInt() seq!: number;
  }

  let applying = 0;
  @Projection({ name: env('CRASH_PROJECTION'), tables: [log] })
  class CrashLog {
    @On(CounterIncremented)
    async incremented(event: CounterIncremented, ctx: ProjectionContext) {
      await logApplication(ctx.manager, log, event, ctx);
      if (++applying % 20 === 0) process.stdout.write(`applying ${applying}\n`);
    }
  }

  const ds = await openDataSource('postgres');
  await startProjectionsApp({
    dataSource: ds,
    providers: [CrashLog],
    serviceName: 'crash-test',
    projections: {
      tables: { checkpoints: `${log}_cp`, inbox: `${log}_inbox` },
      // Small batches: many transactions, so a kill lands between and inside them.
      consumer: { sessionTimeout: 6000, heartbeatInterval: 500, maxBytesPerPartition: 16_384 },
    },
  });
  process.stdout.write('ready\n');
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
