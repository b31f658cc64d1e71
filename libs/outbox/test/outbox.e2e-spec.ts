import type { INestApplicationContext } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { isValidTraceparent, KafkaClient, ServiceTopology, TributaryHeaders } from '@tributary/kafka';
import {
  createOutboxEntitySchema,
  createOutboxMigration,
  InvalidIntegrationEventException,
  OutboxAdmin,
  OutboxHealthIndicator,
  OutboxPublisher,
  OutboxRelay,
  OutboxTransactionRequiredException,
  type OutboxEntityDatabase,
  type OutboxShippedBatch,
} from '@tributary/outbox';
import { testBrokers, TopicCapture, uniqueIdentifier, uniqueName, waitFor } from '@tributary/testing';
import type { DataSource } from 'typeorm';
import { databaseOptions, defineOrderEvent, startOutboxApp, type TestDatabase } from './outbox-test.fixtures';

const ENTITY_DB: Record<TestDatabase, OutboxEntityDatabase> = { postgres: 'postgres', mariadb: 'mariadb', sqlite: 'better-sqlite3' };

describe.each<TestDatabase>(['postgres', 'mariadb', 'sqlite'])('outbox on %s', (db) => {
  const brokers = testBrokers();
  const topic = uniqueName(`outbox-${db}`);
  const tableName = uniqueIdentifier(`outbox_${db}`);
  const ordersTable = uniqueIdentifier(`orders_${db}`);
  const OrderPlaced = defineOrderEvent(topic);
  const entity = createOutboxEntitySchema(ENTITY_DB[db], tableName);
  let app: INestApplicationContext;
  let dataSource: DataSource;
  let publisher: OutboxPublisher;
  let relay: OutboxRelay;
  let admin: OutboxAdmin;
  let capture: TopicCapture;

  const q = (name: string) => (db === 'mariadb' ? `\`${name}\`` : `"${name}"`);
  const p = (i: number) => (db === 'postgres' ? `$${i}` : '?');
  const insertOrder = (manager: { query: (sql: string, params: unknown[]) => Promise<unknown> }, id: string) =>
    manager.query(`INSERT INTO ${q(ordersTable)} (id) VALUES (${p(1)})`, [id]);
  const rowsOfKey = async (key: string) =>
    dataSource.query(`SELECT id FROM ${q(tableName)} WHERE message_key = ${p(1)}`, [key]) as Promise<unknown[]>;
  const messagesOf = (key: string) => capture.messages.filter((m) => m.key === key);

  beforeAll(async () => {
    app = await startOutboxApp({
      brokers,
      // MariaDB goes through forRootAsync with the DataSource instance; the others inject the default token.
      useAsync: db === 'mariadb',
      database: {
        ...databaseOptions(db),
        entities: [entity],
        migrations: [createOutboxMigration({ tableName })],
        migrationsRun: true,
        migrationsTableName: `${tableName}_migrations`,
      },
      outbox: {
        tableName,
        lanes: 8,
        events: [OrderPlaced],
        relay: {
          pollIntervalMs: 100,
          maxAttempts: 2,
          retryBackoff: { initialMs: 50, maxMs: 100 },
          // The periodic sweep (every minute) never runs during the suite; the last test sweeps by hand.
          retentionMs: 500,
          retentionBatchSize: 2,
        },
        health: { maxDeadRows: 0 },
      },
    });
    dataSource = app.get(getDataSourceToken());
    publisher = app.get(OutboxPublisher);
    relay = app.get(OutboxRelay);
    admin = app.get(OutboxAdmin);
    await dataSource.query(`CREATE TABLE ${q(ordersTable)} (id VARCHAR(64) PRIMARY KEY)`);
    await app.get(KafkaClient).admin.ensureTopics([{ topic, numPartitions: 3 }]);
    capture = await TopicCapture.start(brokers, [topic]);
  }, 60_000);

  afterAll(async () => {
    await capture?.stop();
    await dataSource?.query(`DROP TABLE IF EXISTS ${q(ordersTable)}`).catch(() => undefined);
    await dataSource?.query(`DROP TABLE IF EXISTS ${q(`${tableName}_migrations`)}`).catch(() => undefined);
    await dataSource?.query(`DROP TABLE IF EXISTS ${q(`${tableName}_lanes`)}`).catch(() => undefined);
    await dataSource?.query(`DROP TABLE IF EXISTS ${q(tableName)}`).catch(() => undefined);
    await app?.close();
  }, 60_000);

  it('writes nothing for a rolled-back transaction and ships a committed event with key and headers', async () => {
    await expect(
      dataSource.transaction(async (manager) => {
        await insertOrder(manager, 'o-rolled-back');
        await publisher.publish(manager, new OrderPlaced({ orderId: 'o-rolled-back', seq: 1 }));
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    expect(await rowsOfKey('o-rolled-back')).toHaveLength(0);

    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const [eventId] = await dataSource.transaction(async (manager) => {
      await insertOrder(manager, 'o-1');
      return publisher.publish(manager, new OrderPlaced({ orderId: 'o-1', seq: 1 }), {
        traceparent,
        headers: { tenant: 'acme' },
      });
    });

    await waitFor(() => messagesOf('o-1').length === 1, { description: 'the committed event on Kafka' });
    const [message] = messagesOf('o-1');
    expect(JSON.parse(message.value!.toString())).toEqual({ orderId: 'o-1', seq: 1 });
    expect(message.headers).toMatchObject({
      [TributaryHeaders.EVENT_ID]: eventId,
      [TributaryHeaders.EVENT_TYPE]: `outbox-test.order-placed.${topic}`,
      [TributaryHeaders.SCHEMA_VERSION]: '1',
      [TributaryHeaders.SOURCE]: 'outbox-test',
      tenant: 'acme',
    });
    expect(isValidTraceparent(message.headers[TributaryHeaders.TRACEPARENT])).toBe(true);
    expect(message.headers[TributaryHeaders.TRACEPARENT].slice(3, 35)).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(messagesOf('o-rolled-back')).toHaveLength(0);

    // The row is marked published once acked; the entity reads it back through TypeORM.
    const stored = await waitFor(async () => {
      const row = await dataSource.getRepository(entity).findOneBy({ eventId });
      return row?.status === 'published' ? row : undefined;
    });
    expect(stored).toMatchObject({ topic, key: 'o-1', version: 1, attempts: 1, lastError: null });
    expect(stored.publishedAt).toBeInstanceOf(Date);
    expect(app.get(ServiceTopology).snapshot().publishes).toContainEqual({ type: `outbox-test.order-placed.${topic}`, topic, version: 1 });
  }, 60_000);

  it('refuses bad input with a typed error before writing anything', async () => {
    const manager = dataSource.manager;
    await expect(publisher.publish(manager, new OrderPlaced({ orderId: 'o-no-tx', seq: 1 }))).rejects.toThrow(
      OutboxTransactionRequiredException,
    );

    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    const bad: Array<[string, object]> = [
      ['invalid', new OrderPlaced({ orderId: 'o-bad', seq: -1 })],
      ['plain object', { orderId: 'o-bad', seq: 1 }],
      ['BigInt', new OrderPlaced({ orderId: 'o-bad', seq: 1, extra: 10n })],
      ['cycle', new OrderPlaced({ orderId: 'o-bad', seq: 1, extra: cycle })],
    ];
    for (const [, event] of bad) {
      const attempt = dataSource.transaction(async (m) => {
        await insertOrder(m, 'o-bad');
        // A valid event first: the bad one after it must still leave nothing behind.
        await publisher.publish(m, [new OrderPlaced({ orderId: 'o-bad', seq: 0 }), event]);
      });
      await expect(attempt).rejects.toThrow(InvalidIntegrationEventException);
    }
    await expect(
      dataSource.transaction((m) => publisher.publish(m, new OrderPlaced({ orderId: 'o-bad', seq: 1 }), { headers: { n: 1 as never } })),
    ).rejects.toThrow(InvalidIntegrationEventException);
    expect(await rowsOfKey('o-bad')).toHaveLength(0);
    expect(await dataSource.query(`SELECT id FROM ${q(ordersTable)} WHERE id = ${p(1)}`, ['o-bad'])).toHaveLength(0);
    expect(await rowsOfKey('o-no-tx')).toHaveLength(0);
  });

  it('marks an oversized event dead, holds its key, keeps other keys flowing; requeue and purge work', async () => {
    const publishOne = (orderId: string, seq: number, note?: string) =>
      dataSource.transaction((m) => publisher.publish(m, new OrderPlaced({ orderId, seq, note })));
    await publishOne('o-big', 1, 'x'.repeat(1_200_000));
    await publishOne('o-big', 2);
    for (let seq = 1; seq <= 5; seq++) await publishOne('o-small', seq);

    await waitFor(() => messagesOf('o-small').length >= 5, { description: 'other keys to flow' });
    expect(messagesOf('o-small').map((m) => JSON.parse(m.value!.toString()).seq)).toEqual([1, 2, 3, 4, 5]);
    const [dead] = await waitFor(async () => {
      const rows = await admin.listDead();
      return rows.length === 1 ? rows : undefined;
    }, { description: 'the oversized row to die' });
    expect(dead).toMatchObject({ key: 'o-big', status: 'dead', attempts: 2 });
    expect(dead.lastError).toMatch(/TOO_LARGE/);

    const health = await app.get(OutboxHealthIndicator).isHealthy();
    expect(health.outbox.status).toBe('down');
    const metrics = await relay.metrics();
    expect(metrics).toMatchObject({ dead: 1, pending: 1, running: true, brokerAvailable: true });
    expect(metrics.failuresTotal).toBeGreaterThanOrEqual(2);
    expect(metrics.oldestPendingAgeMs).toBeGreaterThan(0);

    // 'block': the later event of the key waits behind the dead one.
    expect(messagesOf('o-big')).toHaveLength(0);

    // Requeued, it is tried again (and dies again: it is still too large).
    expect(await admin.requeue([dead.id])).toBe(1);
    await waitFor(async () => (await admin.listDead()).some((r) => r.id === dead.id && r.attempts === 2), {
      description: 'the requeued row to die again',
    });

    expect(await admin.purge([dead.id])).toBe(1);
    await waitFor(() => messagesOf('o-big').length === 1, { description: 'the key to unblock after the purge' });
    expect(JSON.parse(messagesOf('o-big')[0].value!.toString()).seq).toBe(2);
    await waitFor(async () => (await relay.metrics()).pending === 0);
    expect((await app.get(OutboxHealthIndicator).isHealthy('outbox')).outbox.status).toBe('up');
  }, 60_000);

  it('ships the rest of a batch Kafka refused in part without an outage (fresh producer sequences for the retries)', async () => {
    // One batch holding an oversized row and two rows for each of six keys (spread over the topic's
    // three partitions): the broker appends the other partitions' records and refuses one.
    await relay.stop();
    const keys = Array.from({ length: 6 }, (_, k) => `partial-${k}`);
    await dataSource.transaction((m) =>
      publisher.publish(m, [
        // First in its lane, so the lane's share of the batch is this row (the byte limit cuts the rest).
        new OrderPlaced({ orderId: 'partial-huge', seq: 1, note: 'x'.repeat(1_200_000) }),
        ...keys.flatMap((orderId) => [new OrderPlaced({ orderId, seq: 1 }), new OrderPlaced({ orderId, seq: 2 })]),
      ]),
    );
    const outagesBefore = (await relay.metrics()).outagesTotal;
    relay.start();
    await waitFor(async () => (await admin.listDead()).some((r) => r.key === 'partial-huge'), { description: 'the oversized row to die' });
    await waitFor(() => keys.every((key) => messagesOf(key).length >= 2), { description: 'every other key shipped' });
    // Retried on the same idempotent producer, the records already appended were out of sequence
    // (OUT_OF_ORDER_SEQUENCE_NUMBER), which the relay took for an outage.
    expect((await relay.metrics()).outagesTotal).toBe(outagesBefore);
    for (const key of keys) {
      // At least once: records the broker appended before the refusal come again; the first copies keep the order.
      const seqs = messagesOf(key).map((m) => JSON.parse(m.value!.toString()).seq as number);
      expect([...new Set(seqs)]).toEqual([1, 2]);
    }
    const dead = await admin.listDead();
    expect(await admin.purge(dead.filter((r) => r.key === 'partial-huge').map((r) => r.id))).toBe(1);
  }, 60_000);

  it('emits shipped$ after the rows are marked published: a subscriber reading them on another connection sees them published', async () => {
    const reads: Array<Promise<Array<{ status: string }>>> = [];
    const timings: Array<OutboxShippedBatch['timings'] & { seenAt: number }> = [];
    const firstCommitStartedAt = performance.timeOrigin + performance.now();
    const subscription = relay.shipped$.subscribe((batch) => {
      timings.push({ ...batch.timings, seenAt: performance.timeOrigin + performance.now() });
      // Read at once, on the app's own connection (not the relay's), with no waiting.
      const ids = batch.rowIds.join(', ');
      reads.push(dataSource.query(`SELECT status FROM ${q(tableName)} WHERE id IN (${ids})`) as Promise<Array<{ status: string }>>);
    });
    try {
      for (let seq = 1; seq <= 6; seq++) {
        await dataSource.transaction((m) => publisher.publish(m, new OrderPlaced({ orderId: `o-shipped-${seq % 3}`, seq })));
      }
      await waitFor(async () => (await Promise.all(reads)).flat().length >= 6, { description: 'shipped$ to report the 6 rows' });
    } finally {
      subscription.unsubscribe();
    }
    const statuses = (await Promise.all(reads)).flat().map((r) => r.status);
    expect(statuses.length).toBeGreaterThanOrEqual(6);
    expect(new Set(statuses)).toEqual(new Set(['published']));
    // Each batch's steps in order, acked after the rows existed, marked before shipped$ told of them.
    for (const t of timings) {
      expect(t.ackedAt).toBeGreaterThanOrEqual(firstCommitStartedAt);
      expect([t.signalledAt, t.startedAt, t.claimedAt, t.ackedAt, t.markedAt, t.seenAt]).toEqual(
        [t.signalledAt, t.startedAt, t.claimedAt, t.ackedAt, t.markedAt, t.seenAt].sort((a, b) => a - b),
      );
    }
  }, 60_000);

  it('retention deletes published rows older than retentionMs, in batches', async () => {
    const count = async (status: string) =>
      Number(((await dataSource.query(`SELECT COUNT(*) AS n FROM ${q(tableName)} WHERE status = ${p(1)}`, [status])) as Array<{ n: unknown }>)[0].n);
    const published = await count('published');
    expect(published).toBeGreaterThan(2);
    let swept = 0;
    await waitFor(async () => {
      swept += await relay.sweep();
      return (await count('published')) === 0;
    }, { description: 'published rows to be swept' });
    expect(swept).toBeGreaterThanOrEqual(published);
  }, 60_000);
});

describe("outbox dead-row policy 'skip' (PostgreSQL)", () => {
  const brokers = testBrokers();
  const topic = uniqueName('outbox-skip');
  const tableName = uniqueIdentifier('outbox_skip');
  const OrderPlaced = defineOrderEvent(topic);
  let app: INestApplicationContext;
  let capture: TopicCapture;

  beforeAll(async () => {
    app = await startOutboxApp({
      brokers,
      database: databaseOptions('postgres'),
      outbox: {
        tableName,
        lanes: 4,
        ensureSchema: true,
        relay: { pollIntervalMs: 100, maxAttempts: 2, retryBackoff: { initialMs: 50, maxMs: 100 }, deadRowPolicy: 'skip' },
      },
    });
    await app.get(KafkaClient).admin.ensureTopics([{ topic, numPartitions: 2 }]);
    capture = await TopicCapture.start(brokers, [topic]);
  }, 60_000);

  afterAll(async () => {
    await capture?.stop();
    await app?.get<DataSource>(getDataSourceToken()).query(`DROP TABLE IF EXISTS "${tableName}_lanes", "${tableName}"`).catch(() => undefined);
    await app?.close();
  }, 60_000);

  it('lets later events of the key flow past a dead row, never ahead of a row still retrying', async () => {
    const dataSource = app.get<DataSource>(getDataSourceToken());
    const publisher = app.get(OutboxPublisher);
    const publishOne = (seq: number, note?: string) =>
      dataSource.transaction((m) => publisher.publish(m, new OrderPlaced({ orderId: 'o-skip', seq, note })));
    await publishOne(1);
    await publishOne(2, 'x'.repeat(1_200_000));
    await publishOne(3);
    await publishOne(4);
    await waitFor(() => capture.messages.length >= 3, { description: 'events 1, 3 and 4' });
    expect(capture.messages.map((m) => JSON.parse(m.value!.toString()).seq)).toEqual([1, 3, 4]);
    const dead = await app.get(OutboxAdmin).listDead();
    expect(dead.map((r) => r.key)).toEqual(['o-skip']);
    expect(dead[0].attempts).toBe(2);
    // A row is marked dead with available_at = the time it died: event 3 left only after that.
    const [third] = (await dataSource.query(`SELECT published_at FROM "${tableName}" WHERE id = $1`, [dead[0].id + 1])) as Array<{
      published_at: Date;
    }>;
    expect(third.published_at.getTime()).toBeGreaterThanOrEqual(dead[0].availableAt.getTime());
  }, 60_000);
});
