/*
 * The lane count is recorded with the outbox table: an instance configured with another value
 * refuses to start, and `OutboxAdmin.relane` changes it while relays run, keeping per-key order.
 */
import type { INestApplicationContext } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { KafkaClient } from '@tributary/kafka';
import { laneOfKey, OutboxAdmin, OutboxLaneCountMismatchException, OutboxPublisher, OutboxRelay } from '@tributary/outbox';
import { testBrokers, TopicCapture, uniqueIdentifier, uniqueName, waitFor } from '@tributary/testing';
import type { DataSource } from 'typeorm';
import { checkDelivery, databaseOptions, defineOrderEvent, startOutboxApp, startupError, type TestDatabase } from './outbox-test.fixtures';

describe.each<TestDatabase>(['postgres', 'sqlite'])('outbox lane count on %s', (db) => {
  const brokers = testBrokers();
  const tableName = uniqueIdentifier(`outbox_lanes_${db}`);
  // One SQLite file for both apps.
  const database = databaseOptions(db);
  let first: INestApplicationContext;

  afterAll(async () => {
    const q = (name: string) => `"${name}"`;
    const dataSource = first?.get<DataSource>(getDataSourceToken());
    for (const table of [`${tableName}_meta`, `${tableName}_lanes`, tableName]) {
      await dataSource?.query(`DROP TABLE IF EXISTS ${q(table)}`).catch(() => undefined);
    }
    await first?.close();
  }, 60_000);

  it('refuses to start an instance configured with another lane count, naming both values and how to change it', async () => {
    first = await startOutboxApp({ brokers, database, outbox: { tableName, lanes: 8, ensureSchema: true, relay: { enabled: false } } });

    const error = await startupError({ brokers, database, outbox: { tableName, lanes: 16, ensureSchema: true, relay: { enabled: false } } });
    expect(error).toBeInstanceOf(OutboxLaneCountMismatchException);
    expect(error).toMatchObject({ tableName, recordedLanes: 8, configuredLanes: 16 });
    expect((error as Error).message).toContain('configured with lanes: 16');
    expect((error as Error).message).toContain('Set lanes: 8');
    expect((error as Error).message).toContain('OutboxAdmin.relane(16)');

    // The same value starts fine.
    const second = await startOutboxApp({ brokers, database, outbox: { tableName, lanes: 8, relay: { enabled: false } } });
    await second.close();
  }, 60_000);
});

describe('OutboxAdmin.relane while relays run (PostgreSQL)', () => {
  const brokers = testBrokers();
  const topic = uniqueName('outbox-relane');
  const tableName = uniqueIdentifier('outbox_relane');
  const OrderPlaced = defineOrderEvent(topic);
  const KEYS = 40;
  const apps: INestApplicationContext[] = [];
  let capture: TopicCapture;
  let dataSource: DataSource;

  const start = async (lanes: number) => {
    const app = await startOutboxApp({
      brokers,
      database: databaseOptions('postgres'),
      // Small, one-lane batches from one worker: the backlog drains slowly enough to re-lane mid-way.
      outbox: { tableName, lanes, ensureSchema: true, relay: { pollIntervalMs: 100, batchSize: 5, lanesPerBatch: 1, concurrency: 1 } },
    });
    apps.push(app);
    return app;
  };

  afterAll(async () => {
    await capture?.stop();
    for (const app of apps) await app.get(OutboxRelay).stop();
    await dataSource?.query(`DROP TABLE IF EXISTS "${tableName}_meta", "${tableName}_lanes", "${tableName}"`).catch(() => undefined);
    for (const app of apps.reverse()) await app.close();
  }, 60_000);

  it('moves unpublished rows to their new lanes, makes stale publishers refuse, and keeps per-key order end to end', async () => {
    const before = await start(4);
    dataSource = before.get(getDataSourceToken());
    await before.get(KafkaClient).admin.ensureTopics([{ topic, numPartitions: 3 }]);
    capture = await TopicCapture.start(brokers, [topic]);
    const published = new Map<string, { key: string; seq: number }>();
    const publishSeqs = async (app: INestApplicationContext, from: number, to: number) => {
      const publisher = app.get(OutboxPublisher);
      for (let seq = from; seq < to; seq++) {
        const batch = Array.from({ length: KEYS }, (_, i) => new OrderPlaced({ orderId: `key-${i}`, seq }));
        const ids = await app.get<DataSource>(getDataSourceToken()).transaction((m) => publisher.publish(m, batch));
        ids.forEach((id, i) => published.set(id, { key: batch[i].orderId, seq }));
      }
    };

    await publishSeqs(before, 0, 50);
    const result = await before.get(OutboxAdmin).relane(16);
    expect(result).toMatchObject({ table: tableName, from: 4, to: 16 });
    expect(result.movedRows).toBeGreaterThan(0);

    // Every unpublished row now sits in its key's lane under 16 lanes; the lane table has 16 rows.
    const rows = (await dataSource.query(`SELECT message_key, lane FROM "${tableName}" WHERE status <> 'published'`)) as Array<{
      message_key: string;
      lane: number;
    }>;
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.filter((r) => r.lane !== laneOfKey(r.message_key, 16))).toEqual([]);
    const lanes = (await dataSource.query(`SELECT lane FROM "${tableName}_lanes" ORDER BY lane`)) as Array<{ lane: number }>;
    expect(lanes.map((l) => l.lane)).toEqual(Array.from({ length: 16 }, (_, i) => i));

    // The instance configured with 4 lanes may not write rows into the old lanes any more.
    const stale = before
      .get<DataSource>(getDataSourceToken())
      .transaction((m) => before.get(OutboxPublisher).publish(m, new OrderPlaced({ orderId: 'key-stale', seq: 0 })));
    await expect(stale).rejects.toThrow(OutboxLaneCountMismatchException);
    expect(await dataSource.query(`SELECT id FROM "${tableName}" WHERE message_key = 'key-stale'`)).toEqual([]);

    // Instances with the new count start and publish; both relays ship (relays do not hash keys).
    const after = await start(16);
    await publishSeqs(after, 50, 60);

    await waitFor(() => new Set(capture.messages.map((m) => m.headers['tributary-event-id'])).size >= published.size, {
      timeoutMs: 120_000,
      description: `${published.size} distinct events`,
    });
    const report = checkDelivery(capture.messages, published);
    console.log(`outbox relane: ${published.size} published, ${result.movedRows} rows moved, ${report.duplicates} duplicates`);
    expect(report.missing).toEqual([]);
    expect(report.outOfOrder).toEqual([]);
  }, 180_000);
});
