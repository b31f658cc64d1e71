/*
 * The store side of a relay batch against the real databases: claiming lanes leases only those
 * holding rows, and marking after the send touches only lanes whose lease is still the batch's own
 * (a relay whose lease expired mid-send and was taken over marks nothing).
 */
import type { INestApplicationContext } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { laneOfKey, OutboxPublisher } from '@tributary/outbox';
import { testBrokers, uniqueIdentifier, uniqueName, waitFor } from '@tributary/testing';
import type { DataSource } from 'typeorm';
import { OutboxContext } from '../src/outbox.context';
import type { OutboxStore } from '../src/store/outbox.store';
import { databaseOptions, defineOrderEvent, dropOutboxTables, startOutboxApp, type TestDatabase } from './outbox-test.fixtures';

const LANES = 4;

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

  /** Rows of `key` published; relay A claims their lane with a lease that expires at once, relay B takes it over. */
  async function takenOver(key: string, seqs: number[]) {
    const lane = laneOfKey(key, LANES);
    await dataSource.transaction((m) => app.get(OutboxPublisher).publish(m, seqs.map((seq) => new OrderPlaced({ orderId: key, seq }))));
    const a = await store.claimNextRows([lane], 'relay-a', 1, read());
    const b = await waitFor(() => store.claimNextRows([lane], 'relay-b', 10_000, read()), { timeoutMs: 5000, description: `relay-b taking lane ${lane} over` });
    return { lane, a, b };
  }

  it('leaves a lane taken over after its lease expired to the new holder, and frees lanes that held nothing', async () => {
    const { lane, a, b } = await takenOver('lease-key', [1, 2, 3]);
    expect(a?.held).toEqual([lane]);
    expect(a?.pending.map((r) => r.lane)).toEqual([lane, lane, lane]);
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
    await dataSource.query(`DELETE FROM "${tableName}"`);
    await dataSource.query(`UPDATE "${tableName}_lanes" SET lease_owner = NULL, lease_until = NULL`);
    const { lane, a, b } = await takenOver('lease-delete-key', [1, 2]);
    expect(await store.markShipped([lane], 'relay-a', a!.pending, new Date(), true)).toEqual([]);
    expect(await statuses()).toEqual(['pending', 'pending']);
    expect(await store.markShipped([lane], 'relay-b', b!.pending, new Date(), true)).toEqual([lane]);
    expect(await statuses()).toEqual([]);
  }, 60_000);

  it('marks published, or deletes with retention 0, exactly the rows it is given (a batch with refused rows)', async () => {
    await dataSource.query(`DELETE FROM "${tableName}"`);
    await dataSource.transaction((m) => app.get(OutboxPublisher).publish(m, [1, 2, 3, 4].map((seq) => new OrderPlaced({ orderId: 'mark-key', seq }))));
    const ids = ((await dataSource.query(`SELECT id FROM "${tableName}" ORDER BY id`)) as Array<{ id: unknown }>).map((r) => Number(r.id));

    await store.withSession((session) => store.markPublished(session, [ids[0], ids[2]], new Date(), false));
    expect(await statuses()).toEqual(['published', 'pending', 'published', 'pending']);
    await store.withSession((session) => store.markPublished(session, [ids[1]], new Date(), true));
    expect(await statuses()).toEqual(['published', 'published', 'pending']);
  }, 60_000);

  it('claims rows with the times they were stored with, for an owner token with quotes and backslashes', async () => {
    await dataSource.query(`DELETE FROM "${tableName}"`);
    await dataSource.query(`UPDATE "${tableName}_lanes" SET lease_owner = NULL, lease_until = NULL`);
    const before = Date.now();
    await dataSource.transaction((m) => app.get(OutboxPublisher).publish(m, new OrderPlaced({ orderId: 'times-key', seq: 1 })));
    const after = Date.now();
    const [lane] = ((await dataSource.query(`SELECT lane FROM "${tableName}"`)) as Array<{ lane: unknown }>).map((r) => Number(r.lane));
    // The PostgreSQL claim writes the owner into its SQL as a literal: it must arrive as given.
    const owner = "relay-'times'\\' OR ''='";
    const claimed = await store.claimNextRows([lane], owner, 10_000, read());
    const leases = (await dataSource.query(`SELECT lease_owner FROM "${tableName}_lanes" WHERE lane = ${lane}`)) as Array<{ lease_owner: unknown }>;
    expect(leases).toEqual([{ lease_owner: owner }]);
    const [pending] = claimed!.pending;
    expect(pending.createdAt.getTime()).toBeGreaterThanOrEqual(before - 1);
    expect(pending.createdAt.getTime()).toBeLessThanOrEqual(after + 1);
    expect(pending.availableAt.getTime()).toBe(pending.createdAt.getTime());
  }, 60_000);
});
