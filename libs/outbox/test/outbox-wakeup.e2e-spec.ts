/*
 * PostgreSQL wake-ups: the relay is notified once the publishing transaction has committed (not
 * from inside it, not at a savepoint), and with polling out of the way it ships on that alone. An
 * app that closes right after a commit still sends that commit's wake-up.
 */
import type { INestApplicationContext } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { OutboxPublisher, OutboxRelay } from '@tributary/outbox';
import { testBrokers, uniqueIdentifier, uniqueName, waitFor } from '@tributary/testing';
import type { DataSource } from 'typeorm';
import { laneOfKey } from '../src/util/lane-hash';
import { databaseOptions, defineOrderEvent, dropOutboxTables, startOutboxApp } from './outbox-test.fixtures';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('outbox wake-ups after commit (PostgreSQL)', () => {
  const tableName = uniqueIdentifier('outbox_wakeup');
  const OrderPlaced = defineOrderEvent(uniqueName('outbox-wakeup'));
  let app: INestApplicationContext;
  let dataSource: DataSource;
  let relay: OutboxRelay;
  const shipped = new Set<string>();

  beforeAll(async () => {
    app = await startOutboxApp({
      brokers: testBrokers(),
      database: databaseOptions('postgres'),
      // Polling far off: only NOTIFY can wake the relay within the test.
      outbox: { tableName, ensureSchema: true, events: [OrderPlaced], relay: { pollIntervalMs: 600_000 } },
    });
    dataSource = app.get<DataSource>(getDataSourceToken());
    relay = app.get(OutboxRelay);
    relay.shipped$.subscribe((b) => b.eventIds.forEach((id) => shipped.add(id)));
    await waitFor(async () => (await relay.metrics()).listening, { description: 'the LISTEN connection' });
  }, 60_000);

  afterAll(async () => {
    await dropOutboxTables(dataSource, tableName);
    await app?.close();
  }, 60_000);

  it('ships an event published in a savepoint once the outer transaction commits, woken by NOTIFY alone', async () => {
    const publisher = app.get(OutboxPublisher);
    let ids: string[] = [];
    await dataSource.transaction(async (outer) => {
      ids = await outer.transaction((inner) => publisher.publish(inner, new OrderPlaced({ orderId: 'wake-1', seq: 1 })));
      // A relay woken now (at the savepoint) would find nothing and forget the lane until its next poll.
      await sleep(500);
    });
    await waitFor(() => shipped.has(ids[0]), { timeoutMs: 10_000, description: 'the event to ship after the commit' });

    let rolledBack: string[] = [];
    await dataSource
      .transaction(async (m) => {
        rolledBack = await publisher.publish(m, new OrderPlaced({ orderId: 'wake-2', seq: 1 }));
        throw new Error('roll back');
      })
      .catch(() => undefined);
    const [committed] = await dataSource.transaction((m) => publisher.publish(m, new OrderPlaced({ orderId: 'wake-3', seq: 1 })));
    await waitFor(() => shipped.has(committed), { timeoutMs: 10_000, description: 'the next committed event to ship' });
    expect(shipped.has(rolledBack[0])).toBe(false);
  }, 60_000);

  it('wakes the lanes of every row of a publish larger than one INSERT (1,200 rows, two lanes)', async () => {
    // 1,000 rows of one key, then 200 of a key in another lane: the two lanes are written by different INSERTs.
    const lanes = 64;
    const first = 'wake-big-0';
    const second = Array.from({ length: 50 }, (_, i) => `wake-big-${i + 1}`).find((k) => laneOfKey(k, lanes) !== laneOfKey(first, lanes))!;
    const events = [
      ...Array.from({ length: 1000 }, (_, i) => new OrderPlaced({ orderId: first, seq: i + 1 })),
      ...Array.from({ length: 200 }, (_, i) => new OrderPlaced({ orderId: second, seq: i + 1 })),
    ];
    const ids = await dataSource.transaction((m) => app.get(OutboxPublisher).publish(m, events));
    await waitFor(() => ids.every((id) => shipped.has(id)), { timeoutMs: 20_000, description: `all ${ids.length} rows to ship, woken by NOTIFY alone` });
  }, 60_000);

  it('sends the wake-up of a commit made just before the publishing app closes', async () => {
    const publishing = await startOutboxApp({
      brokers: testBrokers(),
      database: databaseOptions('postgres'),
      outbox: { tableName, events: [OrderPlaced], relay: { enabled: false } },
    });
    const publisher = publishing.get(OutboxPublisher);
    const [id] = await publishing.get<DataSource>(getDataSourceToken()).transaction((m) => publisher.publish(m, new OrderPlaced({ orderId: 'wake-4', seq: 1 })));
    // Closed in the same turn as the commit returned, before the wake-up's own turn came.
    await publishing.close();
    await waitFor(() => shipped.has(id), { timeoutMs: 10_000, description: 'the event committed before the close to ship' });
  }, 60_000);
});
