/*
 * The store side of a relay batch against the real databases: claiming lanes leases only those
 * holding rows, and marking after the send touches only lanes whose lease is still the batch's own
 * (a relay whose lease expired mid-send and was taken over marks nothing).
 */
import type { INestApplicationContext } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { laneOfKey, OutboxPublisher } from '@tributary/outbox';
import { testBrokers, uniqueIdentifier, uniqueName } from '@tributary/testing';
import type { DataSource } from 'typeorm';
import { OutboxContext } from '../src/outbox.context';
import type { OutboxStore } from '../src/store/outbox.store';
import { databaseOptions, defineOrderEvent, dropOutboxTables, startOutboxApp, type TestDatabase } from './outbox-test.fixtures';

const LANES = 4;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each<TestDatabase>(['postgres', 'sqlite'])('outbox lane leases on %s', (db) => {
  const tableName = uniqueIdentifier(`outbox_lease_${db}`);
  const OrderPlaced = defineOrderEvent(uniqueName('outbox-lease'));
  let app: INestApplicationContext;
  let dataSource: DataSource;
  let store: OutboxStore;

  const read = () => ({ batchSize: 10, now: new Date(), blockOnDead: true });
  const statuses = async () =>
    (await dataSource.query(`SELECT status FROM "${tableName}" ORDER BY id`) as Array<{ status: string }>).map((r) => r.status);

  beforeAll(async () => {
    app = await startOutboxApp({
      brokers: testBrokers(),
      database: databaseOptions(db),
      outbox: { tableName, lanes: LANES, ensureSchema: true, events: [OrderPlaced], relay: { enabled: false } },
    });
    dataSource = app.get<DataSource>(getDataSourceToken());
    store = app.get(OutboxContext).store;
    await store.withSession((s) => store.seedLanes(s, LANES));
  }, 60_000);

  afterAll(async () => {
    await dropOutboxTables(dataSource, tableName);
    await app?.close();
  }, 60_000);

  it('leaves a lane taken over after its lease expired to the new holder, and frees lanes that held nothing', async () => {
    const key = 'lease-key';
    const lane = laneOfKey(key, LANES);
    const publisher = app.get(OutboxPublisher);
    await dataSource.transaction((m) => publisher.publish(m, [1, 2, 3].map((seq) => new OrderPlaced({ orderId: key, seq }))));

    // Relay A claims the lane with a lease that expires at once; relay B takes it over.
    const a = await store.claimNextRows([lane], 'relay-a', 1, read());
    expect(a?.held).toEqual([lane]);
    expect(a?.pending.map((r) => r.lane)).toEqual([lane, lane, lane]);
    await sleep(50);
    const b = await store.claimNextRows([lane], 'relay-b', 10_000, read());
    expect(b?.pending.map((r) => r.id)).toEqual(a?.pending.map((r) => r.id));

    // A's send ends: the lane is no longer its own, so nothing is marked.
    expect(await store.markShipped([lane], 'relay-a', a!.pending, new Date(), false)).toEqual([]);
    expect(await statuses()).toEqual(['pending', 'pending', 'pending']);
    // While B holds it, nobody else gets the lane.
    expect(await store.claimNextRows([lane], 'relay-c', 10_000, read())).toBeUndefined();

    expect(await store.markShipped([lane], 'relay-b', b!.pending, new Date(), false)).toEqual([lane]);
    expect(await statuses()).toEqual(['published', 'published', 'published']);

    // A lane with nothing to send is not kept leased: the next claim by anyone gets it.
    const empty = await store.claimNextRows([lane], 'relay-d', 10_000, read());
    expect(empty).toMatchObject({ held: [lane], ready: [], pending: [] });
    expect(await store.claimNextRows([lane], 'relay-e', 10_000, read())).toMatchObject({ held: [lane] });
  }, 60_000);

  it('with retention 0 deletes the shipped rows only of lanes still leased', async () => {
    const key = 'lease-delete-key';
    const lane = laneOfKey(key, LANES);
    await dataSource.query(`DELETE FROM "${tableName}"`);
    await dataSource.query(`UPDATE "${tableName}_lanes" SET lease_owner = NULL, lease_until = NULL`);
    const publisher = app.get(OutboxPublisher);
    await dataSource.transaction((m) => publisher.publish(m, [1, 2].map((seq) => new OrderPlaced({ orderId: key, seq }))));

    const a = await store.claimNextRows([lane], 'relay-a', 1, read());
    await sleep(50);
    const b = await store.claimNextRows([lane], 'relay-b', 10_000, read());
    expect(await store.markShipped([lane], 'relay-a', a!.pending, new Date(), true)).toEqual([]);
    expect(await statuses()).toEqual(['pending', 'pending']);
    expect(await store.markShipped([lane], 'relay-b', b!.pending, new Date(), true)).toEqual([lane]);
    expect(await statuses()).toEqual([]);
  }, 60_000);
});
