/*
 * npm run demo — three sample services in one process, through a real Kafka:
 *   orders    writes an order and its OrderPlaced event in one transaction (outbox)
 *   inventory keeps a replicated copy of what orders reserve (projection) in its own database, serves RPC
 *   gateway   calls inventory over typed RPC and reads the live service catalogue
 * Needs nothing but Node, Java and Maven: each service uses its own SQLite file under .tmp/ unless
 * ORDERS_DATABASE_URL / INVENTORY_DATABASE_URL (or DATABASE_URL: PostgreSQL, MariaDB) is set, and a
 * local Kafka is started when KAFKA_BROKERS is unset. Each service runs its own process with
 * `npm run stack`; here they share one. Ends with a few lines of the services' /metrics and the trace
 * of one order (an in-memory OpenTelemetry SDK registered by the demo only).
 * `npm run demo -- --keep` leaves the services running afterwards, with the operator dashboard mounted
 * on the gateway (basic auth, user `ops`, DASHBOARD_PASSWORD or a random password printed), until Ctrl-C.
 */
import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { waitFor } from '@tributary/testing';
import { demoBrokers } from './broker';
import { DemoTracing } from './demo-tracing';

const step = (text: string) => console.log(`\n▸ ${text}`);

async function boot(module: unknown): Promise<INestApplication> {
  const app = await NestFactory.create(module as never, { logger: ['error', 'warn'] });
  // Each service serves GET /metrics (TributaryMetricsModule); any free port on loopback.
  await app.listen(0, '127.0.0.1');
  return app;
}

function metricsUrl(app: INestApplication): string {
  return `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}/metrics`;
}

/** The sample lines of `names` in a /metrics body. */
function metricLines(text: string, names: string[]): string[] {
  return text.split('\n').filter((line) => names.some((name) => line.startsWith(`${name}{`) || line.startsWith(`${name} `)));
}

/** Resolves on the first Ctrl-C (SIGINT) or SIGTERM. */
function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

async function main(): Promise<void> {
  const keep = process.argv.includes('--keep');
  // The gateway mounts the dashboard only when a password is set: --keep sets one for this run.
  if (keep) process.env.DASHBOARD_PASSWORD ??= randomBytes(9).toString('base64url');
  const tracing = new DemoTracing();
  process.env.KAFKA_BROKERS = (await demoBrokers()).join(',');
  mkdirSync('.tmp', { recursive: true });
  // The demo's own files, apart from `npm run stack`'s (.tmp/<service>.sqlite).
  process.env.ORDERS_DATABASE_URL ??= process.env.DATABASE_URL ?? '.tmp/demo-orders.sqlite';
  process.env.INVENTORY_DATABASE_URL ??= process.env.DATABASE_URL ?? '.tmp/demo-inventory.sqlite';
  const { databaseOptions, describeDatabase } = await import('../shared/database-options');

  // The sample modules read their config when imported, so import them after the env is set.
  const { OrdersModule } = await import('../orders/src/orders.module');
  const { OrdersService } = await import('../orders/src/orders.service');
  const { InventoryModule } = await import('../inventory/src/inventory.module');
  const { GatewayModule } = await import('../gateway/src/gateway.module');
  const { GatewayController } = await import('../gateway/src/gateway.controller');
  const { OutboxRelay } = await import('@tributary/outbox');
  const { DiscoveryClient } = await import('@tributary/discovery');

  const ordersDb = describeDatabase(databaseOptions(process.env.ORDERS_DATABASE_URL));
  const inventoryDb = describeDatabase(databaseOptions(process.env.INVENTORY_DATABASE_URL));
  step(`booting orders (${ordersDb}, outbox), inventory (${inventoryDb}, projection, RPC) and gateway; schemas by migrations`);
  const orders = await boot(OrdersModule);
  const inventory = await boot(InventoryModule);
  const gateway = await boot(GatewayModule);
  try {
    const sku = `sku-${randomBytes(3).toString('hex')}`;
    const service = orders.get(OrdersService);

    step(`orders: placing 3 orders of ${sku}, each in one transaction with its OrderPlaced event`);
    let orderTrace: string | undefined;
    for (const quantity of [2, 5, 1]) {
      // The span an HTTP instrumentation would start for POST /orders: the outbox row keeps its context.
      const { result: order, traceId } = await tracing.inRequestSpan('orders', 'POST /orders', () =>
        service.placeOrder({ customerId: 'customer-7', sku, quantity }),
      );
      orderTrace ??= traceId;
      console.log(`  committed order ${order.id} (${quantity} × ${sku}), trace ${traceId}`);
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
    const { traceId: stockTrace } = await tracing.inRequestSpan('gateway', 'GET /stock/:sku', () => controller.stock(sku));

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

    step(`metrics: a few lines of GET ${metricsUrl(orders)} (all three services share one registry in this process)`);
    const scraped = await (await fetch(metricsUrl(orders))).text();
    const shown = metricLines(scraped, [
      'tributary_outbox_events_shipped_total',
      'tributary_outbox_pending_rows',
      'tributary_outbox_commit_to_ack_seconds_count',
      'tributary_projection_events_applied_total',
      'tributary_rpc_client_duration_seconds_count',
      'tributary_rpc_server_duration_seconds_count',
      'tributary_discovery_live_instances',
    ]);
    for (const line of shown) console.log(`  ${line}`);
    console.log(`  … ${scraped.split('\n').filter((l) => l && !l.startsWith('#')).length} sample lines in all (process CPU, memory, event loop too)`);

    step('traces: the first order, from its request to the inventory projection (service  span (kind))');
    // A process span ends once its batch commits: wait for it before printing.
    const processed = await waitFor(() => tracing.spans(orderTrace).some((s) => s.name.startsWith('process ')), { timeoutMs: 10_000 }).catch(() => false);
    for (const line of tracing.tree(orderTrace!)) console.log(`  ${line}`);
    if (!processed) console.log('  (no process span joined this trace: the projection did not continue the event\'s traceparent)');
    console.log('  and the gateway\'s stock query, over RPC:');
    for (const line of tracing.tree(stockTrace)) console.log(`  ${line}`);

    if (keep) {
      const port = (gateway.getHttpServer().address() as { port: number }).port;
      step('kept running (--keep): Ctrl-C stops the services');
      console.log(`  dashboard: http://127.0.0.1:${port}/tributary  (user ${process.env.DASHBOARD_USER ?? 'ops'}, password ${process.env.DASHBOARD_PASSWORD})`);
      console.log(`  gateway:   http://127.0.0.1:${port}/stock/<sku>, /catalogue, /registry/services`);
      await untilStopped();
    }
  } finally {
    await gateway.close();
    await inventory.close();
    await orders.close();
    tracing.shutdown();
  }
  console.log('\ndemo done');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
