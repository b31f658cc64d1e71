import type { INestApplicationContext } from '@nestjs/common';
import { IntegrationEvent } from '@tributary/kafka';
import {
  DeadLetterHeaders,
  On,
  OnBatch,
  Projection,
  ProjectionFailurePolicy,
  ProjectionsService,
  UnknownEventPolicy,
  Upcaster,
  type ProjectionBatchItem,
  type ProjectionContext,
} from '@tributary/projections';
import { testBrokers, TopicCapture, uniqueName, waitFor } from '@tributary/testing';
import { IsInt, IsString } from 'class-validator';
import type { DataSource, EntityManager } from 'typeorm';
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

const ALWAYS_FAILS = -1;
const FAILS_ONCE = -2;

/**
 * One test's own topic with the same poison sequence on it, its dead-letter topic and a capture of
 * that. Every test builds its own, so each can run alone and in any order.
 */
async function poisonTopic() {
  const { topic, type, CounterIncremented } = defineCounterEvents('poison');
  const renamedType = uniqueName('poison.renamed');

  /** Version 2 of an event whose version 1 had `counter` and `by`. */
  @IntegrationEvent({ type: renamedType, topic, version: 2, key: 'counterId' })
  class CounterRenamedV2 {
    @IsString() counterId!: string;
    @IsInt() amount!: number;
    @IsInt() seq!: number;
  }

  await createTopics([{ topic }, { topic: `${topic}.dlq` }]);
  const dlq = await TopicCapture.start(testBrokers(), [`${topic}.dlq`]);
  return { topic, type, renamedType, CounterIncremented, CounterRenamedV2, dlq };
}
type PoisonTopic = Awaited<ReturnType<typeof poisonTopic>>;

/**
 * On one partition, in this order: seq 1 (valid, offset 0), garbage (offset 1), seq 2 without counterId
 * (invalid), seq 3 (its handler always fails), seq 4 (fails once), an unregistered type, seq 5 as the
 * renamed event's v1 (upcast), seq 6 as its v3 (newer than any class), seq 7 (valid).
 */
async function sendPoisonSequence(producer: TestProducer, { topic, type, renamedType }: PoisonTopic): Promise<void> {
  await producer.sendEvents(topic, type, [{ key: 'a', payload: { counterId: 'a', amount: 1, seq: 1 } }]);
  await producer.sendRaw(topic, [{ key: 'a', value: 'not an envelope' }]);
  await producer.sendEvents(topic, type, [
    { key: 'a', payload: { amount: 1, seq: 2 } }, // invalid: no counterId
    { key: 'a', payload: { counterId: 'a', amount: ALWAYS_FAILS, seq: 3 } },
    { key: 'a', payload: { counterId: 'a', amount: FAILS_ONCE, seq: 4 } },
  ]);
  await producer.sendEvents(topic, uniqueName('poison.unknown'), [{ key: 'a', payload: { anything: true } }]);
  await producer.sendEvents(topic, renamedType, [{ key: 'a', version: 1, payload: { counter: 'a', by: 7, seq: 5 } }]);
  await producer.sendEvents(topic, renamedType, [{ key: 'a', version: 3, payload: { counterId: 'a', amount: 1, seq: 6 } }]);
  await producer.sendEvents(topic, type, [{ key: 'a', payload: { counterId: 'a', amount: 1, seq: 7 } }]);
}

describe('poison messages, retries and upcasters (PostgreSQL)', () => {
  let ds: DataSource;
  let producer: TestProducer;
  const tables: string[] = [];
  const apps: INestApplicationContext[] = [];
  const captures: TopicCapture[] = [];

  async function ownPoisonTopic(): Promise<PoisonTopic> {
    const fixture = await poisonTopic();
    captures.push(fixture.dlq);
    return fixture;
  }

  function counterLogProjection(name: string, log: string, { CounterIncremented, CounterRenamedV2, renamedType }: PoisonTopic) {
    const failedOnce = new Set<number>();
    @Projection({ name, tables: [log] })
    class CounterLog {
      @On(CounterIncremented)
      async incremented(event: InstanceType<typeof CounterIncremented>, ctx: ProjectionContext) {
        await logApplication(ctx.manager, log, event, ctx);
        if (event.amount === ALWAYS_FAILS) throw new Error('the read model rejects negative amounts');
        if (event.amount === FAILS_ONCE && !failedOnce.has(event.seq)) {
          failedOnce.add(event.seq);
          throw new Error('transient failure');
        }
      }

      @On(CounterRenamedV2)
      async renamed(event: InstanceType<typeof CounterRenamedV2>, ctx: ProjectionContext) {
        if (!(event instanceof CounterRenamedV2)) throw new Error('expected a CounterRenamedV2 instance');
        await logApplication(ctx.manager, log, event, ctx);
      }

      @Upcaster(renamedType, 1)
      v1ToV2(payload: Record<string, unknown>) {
        return { counterId: payload.counter, amount: payload.by, seq: payload.seq };
      }
    }
    return CounterLog;
  }

  beforeAll(async () => {
    ds = await openDataSource('postgres');
    producer = await TestProducer.connect();
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    for (const capture of captures) await capture.stop();
    await producer?.close();
    for (const t of tables) await ds?.query(`DROP TABLE IF EXISTS ${t}`).catch(() => undefined);
    await closeDataSource(ds);
  });

  it('dead-letters undecodable, invalid and failing events with their origin, rolls back only their writes, and keeps going', async () => {
    const poison = await ownPoisonTopic();
    const { topic, type, dlq } = poison;
    const log = await createLogTable(ds);
    tables.push(log);
    const name = uniqueName('poison');
    const app = await startProjectionsApp({ dataSource: ds, providers: [counterLogProjection(name, log, poison)], projections: { retryBackoffMs: 1 } });
    apps.push(app);

    // Sent while the projection runs.
    await sendPoisonSequence(producer, poison);

    const service = app.get(ProjectionsService);
    await waitFor(async () => (await service.status(name)).lag === 0, { timeoutMs: 60_000, description: 'projection to catch up' });
    const rows = await readLog(ds, log);
    expect(rows.map((r) => [r.seq, r.amount]).sort((x, y) => x[0] - y[0])).toEqual([
      [1, 1],
      [4, FAILS_ONCE],
      [5, 7],
      [7, 1],
    ]);

    const letters = await dlq.waitForCount(4);
    const byReason = Object.fromEntries(letters.map((m) => [m.headers[DeadLetterHeaders.REASON], m]));
    expect(Object.keys(byReason).sort()).toEqual(['handler-failed', 'invalid', 'undecodable', 'unsupported-version']);
    expect(byReason['undecodable'].value?.toString()).toBe('not an envelope');
    for (const m of letters) {
      expect(m.headers[DeadLetterHeaders.ORIGIN_TOPIC]).toBe(topic);
      expect(m.headers[DeadLetterHeaders.ORIGIN_PARTITION]).toBe('0');
      expect(m.headers[DeadLetterHeaders.PROJECTION]).toBe(name);
      expect(m.headers[DeadLetterHeaders.ERROR]).toBeTruthy();
    }
    expect(byReason['undecodable'].headers[DeadLetterHeaders.ORIGIN_OFFSET]).toBe('1');
    expect(byReason['handler-failed'].headers[DeadLetterHeaders.ORIGIN_OFFSET]).toBe('3');
    expect(byReason['handler-failed'].headers[DeadLetterHeaders.ATTEMPTS]).toBe('3');
    expect(byReason['handler-failed'].headers['tributary-event-type']).toBe(type);
    expect((await service.status(name)).deadLettered).toBe(4);
  });

  it('isolates the failing event of an @OnBatch run by halving it, applying the rest once', async () => {
    const poison = await ownPoisonTopic();
    const { CounterIncremented, dlq } = poison;
    // On the topic before the projection starts, so its first batch holds the whole run.
    await sendPoisonSequence(producer, poison);
    const log = await createLogTable(ds);
    tables.push(log);
    const name = uniqueName('poison-batch');
    const calls: number[] = [];
    @Projection({ name, tables: [log] })
    class BatchCounterLog {
      @OnBatch(CounterIncremented)
      async incremented(items: Array<ProjectionBatchItem<InstanceType<typeof CounterIncremented>>>, manager: EntityManager) {
        calls.push(items.length);
        for (const { event, context } of items) await logApplication(manager, log, event, context);
        if (items.some(({ event }) => event.amount === ALWAYS_FAILS)) throw new Error('the read model rejects negative amounts');
      }
    }
    const app = await startProjectionsApp({ dataSource: ds, providers: [BatchCounterLog], projections: { retryBackoffMs: 1 } });
    apps.push(app);
    // Three valid CounterIncremented (seq 1, 4, 7) around a failing one (seq 3).
    const service = app.get(ProjectionsService);
    await waitFor(async () => (await service.status(name)).lag === 0, { timeoutMs: 60_000, description: 'projection to catch up' });
    expect((await readLog(ds, log)).map((r) => r.seq).sort((a, b) => a - b)).toEqual([1, 4, 7]);
    expect(calls[0]).toBe(4); // one call for the whole run at first
    const letters = await waitFor(() => {
      const mine = dlq.messages.filter((m) => m.headers[DeadLetterHeaders.PROJECTION] === name);
      return mine.length === 3 ? mine : undefined;
    });
    expect(letters.map((m) => m.headers[DeadLetterHeaders.REASON]).sort()).toEqual(['handler-failed', 'invalid', 'undecodable']);
    // The applied ids, and the dead-lettered ones kept with their mark (the undecodable message has no id).
    const outcomes = (await ds.query(
      `SELECT outcome, count(*)::int AS n FROM tributary_projection_inbox WHERE projection = $1 GROUP BY outcome ORDER BY outcome`,
      [name],
    )) as Array<{ outcome: string; n: number }>;
    expect(outcomes).toEqual([
      { outcome: 'applied', n: 3 },
      { outcome: 'dead-lettered', n: 2 },
    ]);
  });

  it('dead-letters unknown types when told to, to a per-projection topic', async () => {
    const poison = await ownPoisonTopic();
    const { topic, CounterRenamedV2 } = poison;
    await sendPoisonSequence(producer, poison);
    const name = uniqueName('strict');
    const deadLetterTopic = uniqueName('strict-dlq');
    await createTopics([{ topic: deadLetterTopic }]);
    const strictDlq = await TopicCapture.start(testBrokers(), [deadLetterTopic]);
    captures.push(strictDlq);
    @Projection({ name, topics: [topic], deadLetterTopic, unknownEventPolicy: UnknownEventPolicy.DeadLetter })
    class OnlyRenamed {
      @On(CounterRenamedV2)
      async renamed() {}
    }
    const app = await startProjectionsApp({ dataSource: ds, providers: [OnlyRenamed] });
    apps.push(app);
    await waitFor(async () => (await app.get(ProjectionsService).status(name)).lag === 0, { timeoutMs: 60_000, description: 'catch up' });
    // The CounterIncremented events (seq 1, 2 (invalid), 3, 4, 7) and the unregistered type are unknown here.
    const letters = await strictDlq.waitForCount(9);
    expect(letters).toHaveLength(9);
    const reasons = letters.map((m) => m.headers[DeadLetterHeaders.REASON]);
    expect(reasons.filter((r) => r === 'unknown-type')).toHaveLength(6);
    expect(reasons.filter((r) => r === 'undecodable')).toHaveLength(1);
    // Both renamed events: v1 (this projection has no upcaster) and v3 (newer than the class).
    expect(reasons.filter((r) => r === 'unsupported-version')).toHaveLength(2);
    expect(reasons.filter((r) => r === 'invalid')).toHaveLength(0);
    expect(letters.every((m) => m.headers[DeadLetterHeaders.PROJECTION] === name)).toBe(true);
  });

  it('with the Stop policy, halts at the poison message and applies nothing after it', async () => {
    const poison = await ownPoisonTopic();
    // seq 1 at offset 0, the undecodable message at offset 1, more after it.
    await sendPoisonSequence(producer, poison);
    const log = await createLogTable(ds);
    tables.push(log);
    const name = uniqueName('halting');
    const app = await startProjectionsApp({
      dataSource: ds,
      providers: [counterLogProjection(name, log, poison)],
      projections: { failurePolicy: ProjectionFailurePolicy.Stop, maxAttempts: 1 },
    });
    apps.push(app);
    const service = app.get(ProjectionsService);
    await waitFor(() => service.state(name) === 'failed', { timeoutMs: 60_000, description: 'projection to halt' });
    const status = await service.status(name);
    expect(status.lastError).toMatch(/stopped at .*\[0\]@1 \(undecodable\)/);
    expect(status.partitions[0].checkpoint).toBeNull();
    expect(await readLog(ds, log)).toEqual([]);
  });
});
