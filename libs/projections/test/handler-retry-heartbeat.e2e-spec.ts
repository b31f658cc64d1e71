import type { INestApplicationContext } from '@nestjs/common';
import { MetricLabels } from '@tributary/kafka';
import { On, Projection, ProjectionsService, type ProjectionContext } from '@tributary/projections';
import { uniqueName, waitFor } from '@tributary/testing';
import { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import {
  closeDataSource,
  createLogTable,
  createTopics,
  defineCounterEvents,
  logApplication,
  openDataSource,
  readLog,
  startProjectionsApp,
  TestProducer,
} from './support/projection-fixtures';

const SESSION_TIMEOUT_MS = 6000;
const FAILING_FOR_MS = 8000;

describe('a handler failing for longer than the session timeout (PostgreSQL)', () => {
  const { topic, type, CounterIncremented } = defineCounterEvents('retry-heartbeat');
  const name = uniqueName('retry-heartbeat');
  const groupId = `projections-test.projection.${name}`;
  const registry = new Registry();
  let ds: DataSource;
  let app: INestApplicationContext | undefined;
  let producer: TestProducer;
  let log: string;

  beforeAll(async () => {
    ds = await openDataSource('postgres');
    log = await createLogTable(ds);
    await createTopics([{ topic }]);
    producer = await TestProducer.connect();
  });

  afterAll(async () => {
    await app?.close();
    await producer?.close();
    await ds?.query(`DROP TABLE IF EXISTS ${log}`).catch(() => undefined);
    await closeDataSource(ds);
  });

  async function rebalances(): Promise<number> {
    const metric = await registry.getSingleMetric('tributary_kafka_consumer_rebalances_total')!.get();
    return metric.values.find((v) => v.labels[MetricLabels.CONSUMER_GROUP] === groupId)?.value ?? 0;
  }

  it('retries with bounded pauses while heartbeating: no rebalance, the event applied once', async () => {
    let failingSince: number | undefined;
    let calls = 0;
    @Projection({ name, tables: [log] })
    class FlakyCounterLog {
      @On(CounterIncremented)
      async incremented(event: InstanceType<typeof CounterIncremented>, ctx: ProjectionContext) {
        calls++;
        failingSince ??= Date.now();
        if (event.seq === 1 && Date.now() - failingSince < FAILING_FOR_MS) throw new Error('the read model is not reachable yet');
        await logApplication(ctx.manager, log, event, ctx);
      }
    }
    app = await startProjectionsApp({
      dataSource: ds,
      providers: [FlakyCounterLog],
      kafka: { metrics: { registry } },
      projections: {
        consumer: { sessionTimeout: SESSION_TIMEOUT_MS, heartbeatInterval: 1000 },
        // Unbounded doubling from 250 ms would wait 4 s at the fifth retry; bounded at 1 s it keeps trying.
        maxAttempts: 40,
        retryBackoffMs: 250,
        retryBackoffMaxMs: 1000,
      },
    });
    const service = app.get(ProjectionsService);
    await waitFor(() => service.state(name) === 'running', { timeoutMs: 30_000, description: 'projection joined' });

    await producer.sendEvents(topic, type, [{ key: 'c', payload: { counterId: 'c', amount: 1, seq: 1 } }]);
    await waitFor(() => service.applied(name) === 1, { timeoutMs: 60_000, description: 'the flaky event applied' });
    // One more event through the same member: a member expelled during the retries would rejoin first.
    await producer.sendEvents(topic, type, [{ key: 'c', payload: { counterId: 'c', amount: 1, seq: 2 } }]);
    await waitFor(() => service.applied(name) === 2, { timeoutMs: 60_000, description: 'the next event applied' });

    expect(await rebalances()).toBe(1);
    expect(calls).toBeGreaterThan(5);
    expect((await readLog(ds, log)).map((r) => r.seq).sort()).toEqual([1, 2]);
    expect((await service.status(name)).deadLettered).toBe(0);
  });
});
