/*
 * npm run demo — three sample services in one process, through a real Kafka:
 *   orders    (PostgreSQL)  writes an order and its OrderPlaced event in one transaction (outbox)
 *   inventory (SQLite file) keeps a replicated copy of what orders reserve (projection), serves RPC
 *   gateway                 calls inventory over typed RPC and reads the live service catalogue
 * Needs PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test); starts a local
 * Kafka when KAFKA_BROKERS is unset.
 */
import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { waitFor } from '@tributary/testing';
import { demoBrokers } from './broker';

const step = (text: string) => console.log(`\n▸ ${text}`);

async function boot(module: unknown): Promise<INestApplication> {
  const app = await NestFactory.create(module as never, { logger: ['error', 'warn'] });
  await app.init();
  return app;
}

async function main(): Promise<void> {
  process.env.KAFKA_BROKERS = (await demoBrokers()).join(',');
  mkdirSync('.tmp', { recursive: true });
  process.env.INVENTORY_DATABASE_URL ??= '.tmp/demo-inventory.sqlite';

  // The sample modules read their config when imported, so import them after the env is set.
  const { OrdersModule } = await import('../orders/src/orders.module');
  const { OrdersService } = await import('../orders/src/orders.service');
  const { InventoryModule } = await import('../inventory/src/inventory.module');
  const { GatewayModule } = await import('../gateway/src/gateway.module');
  const { GatewayController } = await import('../gateway/src/gateway.controller');
  const { OutboxRelay } = await import('@tributary/outbox');
  const { DiscoveryClient } = await import('@tributary/discovery');

  step('booting orders (PostgreSQL + outbox), inventory (SQLite + projection + RPC) and gateway');
  const orders = await boot(OrdersModule);
  const inventory = await boot(InventoryModule);
  const gateway = await boot(GatewayModule);
  try {
    const sku = `sku-${randomBytes(3).toString('hex')}`;
    const service = orders.get(OrdersService);

    step(`orders: placing 3 orders of ${sku}, each in one transaction with its OrderPlaced event`);
    for (const quantity of [2, 5, 1]) {
      const order = await service.placeOrder({ customerId: 'customer-7', sku, quantity });
      console.log(`  committed order ${order.id} (${quantity} × ${sku})`);
    }

    step('orders: placing an invalid order (quantity 0): the event is refused, the transaction rolls back');
    try {
      await service.placeOrder({ customerId: 'customer-7', sku, quantity: 0 });
    } catch (e) {
      console.log(`  refused: ${(e as Error).name}: ${(e as Error).message}`);
    }

    const relay = orders.get(OutboxRelay);
    await waitFor(
      async () => {
        const m = await relay.metrics();
        return m.pending + m.retrying === 0;
      },
      { timeoutMs: 60_000, description: 'the relay to ship' },
    );
    const metrics = await relay.metrics();
    console.log(`  relay: nothing pending (listening for NOTIFY: ${metrics.listening}, dead rows: ${metrics.dead})`);

    step('inventory: its replica catches up from Kafka (exactly once, in its own database)');
    const controller = gateway.get(GatewayController);
    // Errors while inventory's RPC consumer is still joining its group count as "not yet".
    const level = await waitFor(
      async () => {
        const answer = await controller.stock(sku);
        return answer.orders === 3 ? answer : undefined;
      },
      { timeoutMs: 60_000, description: 'the replica to catch up' },
    );
    console.log(`  gateway → inventory RPC inventory.stock-level: ${JSON.stringify(level)}`);

    step('discovery: the live catalogue');
    const discovery = gateway.get(DiscoveryClient);
    const catalogue = await waitFor(
      () => {
        const c = discovery.catalogue();
        return ['orders', 'inventory', 'gateway'].every((s) => c.services.some((x) => x.service === s)) ? c : undefined;
      },
      { timeoutMs: 60_000, description: 'all three services in the registry' },
    );
    for (const event of catalogue.events) {
      const consumers = event.consumers.map((c) => `${c.service} (${c.consumer})`).join(', ') || 'nobody yet';
      console.log(`  event ${event.type} on ${event.topic}: published by ${event.publishers.join(', ')}; consumed by ${consumers}`);
    }
    for (const method of catalogue.methods) {
      console.log(`  rpc ${method.method}: served by ${method.services.join(', ')} over ${method.transports.join(', ')}`);
    }
  } finally {
    await gateway.close();
    await inventory.close();
    await orders.close();
  }
  console.log('\ndemo done');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
