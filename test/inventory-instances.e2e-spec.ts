import type { INestApplication } from '@nestjs/common';
import { postgresUrl, testBrokers, uniqueName, waitFor } from '@tributary/testing';
import { randomBytes } from 'node:crypto';
import { bootApp, moveToTopic, postgresAdmin } from './support/nest-test-apps';
import type { DataSource } from 'typeorm';

const PROJECTION = 'inventory.reserved-stock';

/**
 * The inventory template with several instances: OrderPlaced is keyed by order, so one sku's
 * events spread over the topic's partitions, and two instances apply them at the same time on one
 * shared PostgreSQL database. The stock levels must still be exact: the projection increments in
 * SQL (one atomic upsert), where a read-modify-write would lose updates.
 */
describe('inventory sample: two instances on one PostgreSQL database, a multi-partition topic', () => {
  const database = `tributary_inventory_${randomBytes(4).toString('hex')}`;
  const apps: INestApplication[] = [];

  beforeAll(async () => {
    await postgresAdmin(`CREATE DATABASE ${database}`);
    const url = new URL(postgresUrl());
    url.pathname = `/${database}`;
    // Read by the sample modules when they are loaded (below); this file's modules are its own.
    process.env.ORDERS_DATABASE_URL = url.toString();
    process.env.INVENTORY_DATABASE_URL = url.toString();
    process.env.KAFKA_BROKERS = testBrokers().join(',');
  });

  afterAll(async () => {
    for (const app of apps.reverse()) await app.close();
    await postgresAdmin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    delete process.env.ORDERS_DATABASE_URL;
    delete process.env.INVENTORY_DATABASE_URL;
  });

  it('counts every order exactly once per sku while both instances apply partitions concurrently', async () => {
    const { OrdersModule } = await import('../apps/orders/src/orders.module');
    const { OrdersService } = await import('../apps/orders/src/orders.service');
    const { OrderPlaced: OrdersOrderPlaced } = await import('../apps/orders/src/order-placed.event');
    const { InventoryModule } = await import('../apps/inventory/src/inventory.module');
    const { OrderPlaced: InventoryOrderPlaced } = await import('../apps/inventory/src/order-placed.event');
    const { ReservedStock } = await import('../apps/inventory/src/reserved-stock.entity');
    const { ProjectionsService } = await import('@tributary/projections');
    const { getDataSourceToken } = await import('@nestjs/typeorm');
    const topic = uniqueName('orders.events');
    moveToTopic(OrdersOrderPlaced, topic);
    moveToTopic(InventoryOrderPlaced, topic);

    // orders creates the topic (6 partitions, the outbox's default) and runs its migrations.
    const orders = await bootApp(apps, OrdersModule);
    // One after the other: the first runs the migrations, the second finds them done.
    const first = await bootApp(apps, InventoryModule);
    const second = await bootApp(apps, InventoryModule);
    const instances = [first, second].map((app) => app.get(ProjectionsService));
    await waitFor(() => instances.every((p) => p.state(PROJECTION) === 'running'), { timeoutMs: 30_000, description: 'both projections running' });

    const skus = ['a', 'b', 'c'].map((s) => `sku-${s}-${randomBytes(3).toString('hex')}`);
    const expected = new Map(skus.map((sku) => [sku, { sku, reserved: 0, orders: 0 }]));
    const service = orders.get(OrdersService);
    let placed = 0;
    const place = async (sku: string, quantity: number) => {
      await service.placeOrder({ customerId: 'c-1', sku, quantity });
      const row = expected.get(sku)!;
      row.reserved += quantity;
      row.orders += 1;
      placed += 1;
    };

    // Warm up, each order on a sku of its own (no contention yet), until both instances hold
    // partitions and have applied events.
    let warmUp = 0;
    await waitFor(
      async () => {
        await service.placeOrder({ customerId: 'c-1', sku: `warm-up-${warmUp++}`, quantity: 1 });
        placed += 1;
        return instances.every((p) => p.applied(PROJECTION) > 0);
      },
      { timeoutMs: 30_000, intervalMs: 500, description: 'both inventory instances to apply events' },
    );

    // A burst: the relay ships it in a few batches, and both instances apply their partitions'
    // share at the same time, every batch touching all three skus.
    const burst = 600;
    await Promise.all(Array.from({ length: burst }, (_, i) => place(skus[i % skus.length], 1 + (i % 5))));

    // Applied or dead-lettered, so an event lost to a dead letter fails below with its count, not
    // as a timeout. The waits add up to less than the test's timeout, so a slow step is named.
    const handled = async () => {
      const statuses = await Promise.all(instances.map((p) => p.status(PROJECTION)));
      return statuses.reduce((sum, s) => sum + s.applied + s.deadLettered, 0);
    };
    await waitFor(async () => (await handled()) >= placed, { timeoutMs: 45_000, intervalMs: 250, description: `the two instances to apply ${placed} events` });
    // Concurrent batches touch the same skus in different orders and deadlock now and then: the
    // losing batch is rolled back and applied again, never dead-lettered.
    expect((await Promise.all(instances.map((p) => p.status(PROJECTION)))).map((s) => s.deadLettered)).toEqual([0, 0]);
    // Both took part in the burst, not only in the warm-up.
    const applied = instances.map((p) => p.applied(PROJECTION));
    expect(Math.min(...applied)).toBeGreaterThan(placed / 10);

    const replica = first.get<DataSource>(getDataSourceToken('inventory'));
    expect(replica.options.type).toBe('postgres');
    const rows = await replica.getRepository(ReservedStock).find({ where: skus.map((sku) => ({ sku })), order: { sku: 'ASC' } });
    expect(rows).toEqual([...expected.values()].sort((x, y) => x.sku.localeCompare(y.sku)));
  });
});
