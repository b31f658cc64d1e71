/*
 * A projection in its own process, for the crash test: the parent SIGKILLs it mid-batch and starts
 * it again. Configured by environment variables: KAFKA_BROKERS, CRASH_TOPIC, CRASH_EVENT_TYPE,
 * CRASH_PROJECTION, CRASH_LOG_TABLE (see crash.e2e-spec.ts) and CRASH_HOLD_AT_COMMITTED.
 * With CRASH_HOLD_AT_COMMITTED=<n>, the first handler call that finds at least n events committed
 * (counted outside its transaction) prints `holding` and never returns: its batch stays half
 * applied in an open transaction until the parent kills the process, whatever the speed of the
 * machine (killing on the parent's timing alone let a fast worker finish everything first).
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

  const holdAt = Number(process.env.CRASH_HOLD_AT_COMMITTED ?? 0);
  const committed = async () => Number(((await ds.query(`SELECT count(*)::int AS n FROM ${log}`)) as Array<{ n: number }>)[0].n);
  @Projection({ name: env('CRASH_PROJECTION'), tables: [log] })
  class CrashLog {
    @On(CounterIncremented)
    async incremented(event: CounterIncremented, ctx: ProjectionContext) {
      await logApplication(ctx.manager, log, event, ctx);
      if (holdAt > 0 && (await committed()) >= holdAt) {
        process.stdout.write('holding\n');
        await new Promise<never>(() => undefined);
      }
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
