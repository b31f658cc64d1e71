import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getIntegrationEventMetadata, IntegrationEvent } from '@tributary/kafka';
import { postgresUrl, testBrokers, uniqueName, waitFor } from '@tributary/testing';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';

/**
 * Point an event class at another topic. The samples hard-code `orders.events`, which other runs on
 * the same broker may have created already; a topic of this run's own makes "the topic is missing"
 * true every time, so the waiting-for-topics step is always exercised.
 */
function moveToTopic(eventClass: new (...args: never[]) => object, topic: string): void {
  const metadata = getIntegrationEventMetadata(eventClass);
  if (!metadata) throw new Error(`${eventClass.name} is not an @IntegrationEvent`);
  IntegrationEvent({ type: metadata.type, version: metadata.version, key: metadata.key, topic })(eventClass);
}

/** Set environment variables for the duration of `fn` only, so later suites see the original values. */
async function withEnv<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/**
 * The sample services as a user would run them: orders (PostgreSQL, outbox), inventory (its own
 * SQLite file, projection, RPC server) and gateway (RPC client, catalogue), through the real broker.
 */
describe('sample services: orders -> Kafka -> inventory replica -> gateway RPC', () => {
  const database = `tributary_samples_${randomBytes(4).toString('hex')}`;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-samples-'));
  const apps: INestApplication[] = [];

  async function boot(module: unknown): Promise<INestApplication> {
    const app = await NestFactory.create(module as never, { logger: ['error'], abortOnError: false });
    await app.init();
    apps.push(app);
    return app;
  }

  async function admin(sql: string): Promise<void> {
    const client = new Client({ connectionString: postgresUrl() });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }

  beforeAll(async () => {
    await admin(`CREATE DATABASE ${database}`);
  });

  afterAll(async () => {
    for (const app of apps.reverse()) await app.close();
    await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('replicates committed orders into inventory and answers over RPC; rolled-back orders never leave', async () => {
    const url = new URL(postgresUrl());
    url.pathname = `/${database}`;
    // The sample modules read their environment when loaded: set it for the imports only.
    const loaded = await withEnv(
      {
        ORDERS_DATABASE_URL: url.toString(),
        INVENTORY_DATABASE_URL: path.join(tmp, 'inventory.sqlite'),
        KAFKA_BROKERS: testBrokers().join(','),
      },
      async () => ({
        ...(await import('../apps/orders/src/orders.module')),
        ...(await import('../apps/orders/src/orders.service')),
        OrdersOrderPlaced: (await import('../apps/orders/src/order-placed.event')).OrderPlaced,
        ...(await import('../apps/inventory/src/inventory.module')),
        InventoryOrderPlaced: (await import('../apps/inventory/src/order-placed.event')).OrderPlaced,
        ...(await import('../apps/inventory/src/reserved-stock.entity')),
        ...(await import('../apps/gateway/src/gateway.module')),
        ...(await import('../apps/gateway/src/gateway.controller')),
      }),
    );
    const { OrdersModule, OrdersService, InventoryModule, ReservedStock, GatewayModule, GatewayController } = loaded;
    const { DiscoveryClient } = await import('@tributary/discovery');
    const { ProjectionsService } = await import('@tributary/projections');
    const { getDataSourceToken } = await import('@nestjs/typeorm');
    const topic = uniqueName('orders.events');
    moveToTopic(loaded.OrdersOrderPlaced, topic);
    moveToTopic(loaded.InventoryOrderPlaced, topic);

    // Inventory first: its projection waits for orders' topic, which the outbox creates at bootstrap.
    const inventory = await boot(InventoryModule);
    const projections = inventory.get(ProjectionsService);
    expect(projections.state('inventory.reserved-stock')).toBe('waiting-for-topics');
    const orders = await boot(OrdersModule);
    await waitFor(() => projections.state('inventory.reserved-stock') === 'running', {
      timeoutMs: 30_000,
      description: 'the inventory projection to start once orders created its topic',
    });
    const gateway = await boot(GatewayModule);
    const sku = `sku-${randomBytes(3).toString('hex')}`;
    const service = orders.get(OrdersService);
    for (const quantity of [2, 5, 1]) await service.placeOrder({ customerId: 'c-1', sku, quantity });
    await expect(service.placeOrder({ customerId: 'c-1', sku, quantity: 0 })).rejects.toThrow(/quantity must not be less than 1/);

    const controller = gateway.get(GatewayController);
    const level = await waitFor(
      async () => {
        const answer = await controller.stock(sku);
        return answer.orders >= 3 ? answer : undefined;
      },
      { timeoutMs: 60_000, description: 'the inventory replica to hold 3 orders' },
    );
    expect(level).toEqual({ sku, reserved: 8, orders: 3 });
    // The answer came from inventory's own replica (its SQLite file), not from orders' database.
    const replica = inventory.get<import('typeorm').DataSource>(getDataSourceToken('inventory'));
    expect(replica.options.type).toBe('better-sqlite3');
    expect(await replica.getRepository(ReservedStock).findBy({ sku })).toEqual([{ sku, reserved: 8, orders: 3 }]);

    const catalogue = await waitFor(
      () => {
        const c = gateway.get(DiscoveryClient).catalogue();
        return ['orders', 'inventory', 'gateway'].every((s) => c.services.some((x) => x.service === s)) ? c : undefined;
      },
      { timeoutMs: 30_000, description: 'all three services in the registry' },
    );
    // Other suites share the broker's registry: look for these services, not only these.
    const placed = catalogue.events.find((e) => e.type === 'orders.order-placed');
    expect(placed?.publishers).toContain('orders');
    expect(placed?.consumers).toContainEqual({ service: 'inventory', consumer: 'projection:inventory.reserved-stock' });
    expect(catalogue.methods.find((m) => m.method === 'inventory.stock-level')?.services).toContain('inventory');
  });
});
