import type { INestApplicationContext } from '@nestjs/common';
import { DeadLetterHeaders, On, Projection, ProjectionsService, type ProjectionContext } from '@tributary/projections';
import { testBrokers, TopicCapture, uniqueIdentifier, uniqueName, waitFor, type CapturedMessage } from '@tributary/testing';
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
  type Dialect,
} from './support/projection-fixtures';

/** What the admin's dead-letter replay sends back to the origin topic: the original message, marked as replayed. */
function replayedCopy(letter: CapturedMessage) {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(letter.headers)) if (!name.startsWith('tributary-dlq-')) headers[name] = value;
  headers[DeadLetterHeaders.REPLAYED_FROM] = `${letter.topic}/${letter.partition}/${letter.offset}`;
  return { key: letter.key, value: letter.value, headers };
}

describe.each<Dialect>(['postgres', 'mariadb', 'sqlite'])('dead-lettered event ids on %s', (dialect) => {
  const { topic, type, CounterIncremented } = defineCounterEvents(`redelivery-${dialect}`);
  const name = uniqueName(`redelivery-${dialect}`);
  const tables = { checkpoints: uniqueIdentifier('dl_cp'), inbox: uniqueIdentifier('dl_inbox') };
  const param = dialect === 'postgres' ? '$1' : '?';
  let ds: DataSource;
  let app: INestApplicationContext | undefined;
  let producer: TestProducer;
  let dlq: TopicCapture;
  let log: string;

  const outcomeOf = async (eventId: string): Promise<string | undefined> =>
    ((await ds.query(`SELECT outcome FROM ${tables.inbox} WHERE event_id = ${param}`, [eventId])) as Array<{ outcome: string }>)[0]?.outcome;

  beforeAll(async () => {
    ds = await openDataSource(dialect);
    log = await createLogTable(ds);
    await createTopics([{ topic }, { topic: `${topic}.dlq` }]);
    dlq = await TopicCapture.start(testBrokers(), [`${topic}.dlq`]);
    producer = await TestProducer.connect();
  });

  afterAll(async () => {
    await app?.close();
    await dlq?.stop();
    await producer?.close();
    for (const t of [log, tables.inbox, tables.checkpoints]) await ds?.query(`DROP TABLE IF EXISTS ${t}`).catch(() => undefined);
    await closeDataSource(ds);
  });

  it('skips a plain copy of a dead-lettered event and applies a replayed copy once', async () => {
    let broken = true;
    const calls = new Map<string, number>();
    @Projection({ name, tables: [log] })
    class CounterLog {
      @On(CounterIncremented)
      async incremented(event: InstanceType<typeof CounterIncremented>, ctx: ProjectionContext) {
        calls.set(ctx.eventId, (calls.get(ctx.eventId) ?? 0) + 1);
        if (broken) throw new Error('the read model is broken');
        await logApplication(ctx.manager, log, event, ctx);
      }
    }
    app = await startProjectionsApp({ dataSource: ds, providers: [CounterLog], projections: { tables, maxAttempts: 2, retryBackoffMs: 1 } });
    const service = app.get(ProjectionsService);
    const caughtUp = () => waitFor(async () => (await service.status(name)).lag === 0, { timeoutMs: 60_000, description: 'projection caught up' });

    const event = { key: 'c', payload: { counterId: 'c', amount: 1, seq: 1 } };
    const [eventId] = await producer.sendEvents(topic, type, [event]);
    const [letter] = await dlq.waitForCount(1, 60_000);
    await caughtUp();
    expect(letter.headers[DeadLetterHeaders.REASON]).toBe('handler-failed');
    expect(await outcomeOf(eventId)).toBe('dead-lettered');
    const triesBefore = calls.get(eventId);
    expect(triesBefore).toBeGreaterThanOrEqual(2); // fast path + maxAttempts in savepoints

    // A plain copy at another offset (an upstream re-publish): a duplicate, not dead-lettered again.
    await producer.sendEvents(topic, type, [{ ...event, eventId }]);
    await waitFor(async () => (await service.status(name)).duplicates === 1, { timeoutMs: 60_000, description: 'the copy skipped' });
    await caughtUp();
    expect(calls.get(eventId)).toBe(triesBefore);
    expect((await service.status(name)).deadLettered).toBe(1);

    // The handler is fixed; the admin replays the dead letter: applied once, and the id is now applied.
    broken = false;
    const copy = replayedCopy(letter);
    await producer.sendRaw(topic, [copy]);
    await waitFor(() => service.applied(name) === 1, { timeoutMs: 60_000, description: 'the replayed copy applied' });
    expect(await outcomeOf(eventId)).toBe('applied');

    // The replay sent again (an admin that crashed before recording it): a duplicate.
    await producer.sendRaw(topic, [copy]);
    await waitFor(async () => (await service.status(name)).duplicates === 2, { timeoutMs: 60_000, description: 'the second replay skipped' });
    await caughtUp();
    expect((await readLog(ds, log)).filter((r) => r.event_id === eventId)).toHaveLength(1);
    expect(service.applied(name)).toBe(1);
    expect((await service.status(name)).deadLettered).toBe(1);
  });
});
