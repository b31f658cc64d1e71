import type { INestApplicationContext } from '@nestjs/common';
import {
  On,
  Projection,
  ProjectionsHealthIndicator,
  ProjectionsService,
  UnknownProjectionException,
  type ProjectionContext,
  type RebuildProgress,
} from '@tributary/projections';
import { uniqueName, waitFor } from '@tributary/testing';
import { lastValueFrom, toArray } from 'rxjs';
import type { DataSource } from 'typeorm';
import {
  closeDataSource,
  counterEvents,
  createLogTable,
  createTopics,
  defineCounterEvents,
  logApplication,
  openDataSource,
  readLog,
  readModelChecksum,
  startProjectionsApp,
  TestProducer,
} from './support/projection-fixtures';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('rebuild (PostgreSQL)', () => {
  const { topic, type, CounterIncremented } = defineCounterEvents('rebuild');
  const name = uniqueName('rebuild');
  let ds: DataSource;
  let app: INestApplicationContext;
  let producer: TestProducer;
  let log: string;
  let slow = false;
  let projectionClass: new () => object;

  beforeAll(async () => {
    ds = await openDataSource('postgres');
    log = await createLogTable(ds);
    await createTopics([{ topic, numPartitions: 3 }]);
    producer = await TestProducer.connect();

    @Projection({ name, tables: [log] })
    class CounterLog {
      @On(CounterIncremented)
      async incremented(event: InstanceType<typeof CounterIncremented>, ctx: ProjectionContext) {
        await logApplication(ctx.manager, log, event, ctx);
        if (slow) await sleep(2);
      }
    }
    projectionClass = CounterLog;
    app = await startProjectionsApp({
      dataSource: ds,
      providers: [CounterLog],
      projections: { consumer: { sessionTimeout: 6000, heartbeatInterval: 500, maxBytesPerPartition: 16_384 } },
    });
  });

  afterAll(async () => {
    await app?.close();
    await producer?.close();
    await ds?.query(`DROP TABLE IF EXISTS ${log}`).catch(() => undefined);
    await closeDataSource(ds);
  });

  it('replays from the earliest offsets into a read model identical to the incremental one, reporting progress and health', async () => {
    const service = app.get(ProjectionsService);
    const health = app.get(ProjectionsHealthIndicator);
    const events = counterEvents(12, 50);
    await producer.sendEvents(topic, type, events);
    await waitFor(async () => (await readLog(ds, log)).length === events.length && (await service.status(name)).lag === 0, {
      timeoutMs: 60_000,
      description: 'incremental build',
    });
    const incremental = await readModelChecksum(ds, log);
    expect(await health.isHealthy()).toMatchObject({ projections: { status: 'up', projections: { [name]: { state: 'running', lag: 0 } } } });

    slow = true;
    const progress$ = await service.rebuild(name);
    expect(service.state(name)).toBe('rebuilding');
    const during = await health.isHealthy();
    expect(during.projections.status).toBe('down');
    expect(during.projections.projections).toMatchObject({ [name]: { state: 'rebuilding' } });

    const emissions: RebuildProgress[] = await lastValueFrom(progress$.pipe(toArray()));
    const last = emissions[emissions.length - 1];
    expect(last).toMatchObject({ name, caughtUp: true, total: events.length, done: events.length, ratio: 1, etaSeconds: 0 });
    expect(last.applied).toBe(events.length);
    expect(emissions.every((p) => p.done <= p.total && p.total === events.length)).toBe(true);
    expect(service.state(name)).toBe('running');
    expect(await readModelChecksum(ds, log)).toBe(incremental);
    expect((await health.isHealthy('projections')).projections.status).toBe('up');

    // It keeps applying new events after the rebuild.
    slow = false;
    await producer.sendEvents(topic, type, counterEvents(2, 1, 5));
    await waitFor(async () => (await readLog(ds, log)).length === events.length + 2, { timeoutMs: 30_000, description: 'new events' });
  }, 120_000);

  it('rebuilds correctly while a second instance shares the partitions', async () => {
    const service = app.get(ProjectionsService);
    const second = await startProjectionsApp({ dataSource: ds, providers: [projectionClass] });
    try {
      // Count before sending: the running instance may apply some of the new events before a later read.
      const expected = (await readLog(ds, log)).length + 60;
      await producer.sendEvents(topic, type, counterEvents(6, 10, 2));
      await waitFor(async () => (await readLog(ds, log)).length === expected && (await service.status(name)).lag === 0, {
        timeoutMs: 60_000,
        description: 'both instances caught up',
      });
      const before = await readModelChecksum(ds, log);
      // The other instance may hold partitions during the reset: it must replay them from the start too.
      await lastValueFrom(await service.rebuild(name));
      await waitFor(async () => (await readLog(ds, log)).length >= expected && (await service.status(name)).lag === 0, {
        timeoutMs: 60_000,
        description: 'replay complete',
      });
      expect(await readModelChecksum(ds, log)).toBe(before);
    } finally {
      await second.close();
    }
  }, 120_000);

  it('names the known projections when asked to rebuild an unknown one', async () => {
    await expect(app.get(ProjectionsService).rebuild('nope')).rejects.toThrow(UnknownProjectionException);
    await expect(app.get(ProjectionsService).rebuild('nope')).rejects.toThrow(name);
  });
});
