import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { postgresUrl, testBrokers, waitFor } from '@tributary/testing';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';

/**
 * The sample services as a user would run them: orders (PostgreSQL, outbox), inventory (its own
 * SQLite file, projection, RPC server) and gateway (RPC client, catalogue), through the real broker.
 */
describe('sample services: orders -> Kafka -> inventory replica -> gateway RPC', () => {
  const database = `tributary_samples_${randomBytes(4).toString('hex')}`;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-samples-'));
  const apps: INestApplication[] = [];

  async function boot(module: unknown): Promise<INestApplication> {
    const app = await NestFactory.create(module as never, { logger: ['error'] });
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
    const url = new URL(postgresUrl());
    url.pathname = `/${database}`;
    process.env.ORDERS_DATABASE_URL = url.toString();
    process.env.INVENTORY_DATABASE_URL = path.join(tmp, 'inventory.sqlite');
    process.env.KAFKA_BROKERS = testBrokers().join(',');
  });

  afterAll(async () => {
    for (const app of apps.reverse()) await app.close();
    await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('replicates committed orders into inventory and answers over RPC; rolled-back orders never leave', async () => {
    // Imported after the environment is set: the sample modules read it when loaded.
    const { OrdersModule } = await import('../apps/orders/src/orders.module');
    const { OrdersService } = await import('../apps/orders/src/orders.service');
    const { InventoryModule } = await import('../apps/inventory/src/inventory.module');
    const { GatewayModule } = await import('../apps/gateway/src/gateway.module');
    const { GatewayController } = await import('../apps/gateway/src/gateway.controller');
    const { DiscoveryClient } = await import('@tributary/discovery');
    const { KafkaClient } = await import('@tributary/kafka');
    const { ProjectionsService } = await import('@tributary/projections');

    // Inventory first: its projection waits for orders' topic, which the outbox creates at bootstrap.
    const inventory = await boot(InventoryModule);
    const kafka = inventory.get(KafkaClient);
    const topicExisted = (await (await kafka.admin.client()).listTopics()).includes('orders.events');
    if (!topicExisted) {
      expect(inventory.get(ProjectionsService).state('inventory.reserved-stock')).toBe('waiting-for-topics');
    }
    const orders = await boot(OrdersModule);
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
    expect(inventory).toBeDefined();
  });
});
