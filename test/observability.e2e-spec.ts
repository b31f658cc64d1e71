/*
 * Metrics and one trace across the sample services, through the real broker: orders places an
 * order inside a request span → outbox `create` → relay `send` (linked) → inventory's projection
 * `process` (CONSUMER) and a stock-alerts projection whose handler calls inventory over RPC
 * (CLIENT → SERVER). An OpenTelemetry SDK with an in-memory exporter records the spans; each app's
 * /metrics shows the outbox, projection and RPC series.
 */
import type { INestApplication } from '@nestjs/common';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { postgresUrl, testBrokers, uniqueName, waitFor } from '@tributary/testing';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bootApp, postgresAdmin } from './support/nest-test-apps';
import { parseMetricsText, samplesOf } from './support/metrics-text';
import { StockAlertsModule } from './support/stock-alerts.module';

const TOPIC = 'orders.events';
const METHOD = 'inventory.stock-level';

describe('observability across services: metrics and one trace from an order to an RPC server', () => {
  const database = `tributary_observability_${randomBytes(4).toString('hex')}`;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-observability-'));
  const exporter = new InMemorySpanExporter();
  const apps: INestApplication[] = [];

  async function scrape(app: INestApplication) {
    const { port } = app.getHttpServer().address() as { port: number };
    const response = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(response.headers.get('content-type')).toContain('text/plain');
    return parseMetricsText(await response.text());
  }

  beforeAll(async () => {
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    trace.setGlobalTracerProvider(provider);
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    await postgresAdmin(`CREATE DATABASE ${database}`);
    const url = new URL(postgresUrl());
    url.pathname = `/${database}`;
    process.env.ORDERS_DATABASE_URL = url.toString();
    process.env.INVENTORY_DATABASE_URL = path.join(tmp, 'inventory.sqlite');
    process.env.KAFKA_BROKERS = testBrokers().join(',');
  });

  afterAll(async () => {
    for (const app of apps.reverse()) await app.close();
    await postgresAdmin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    fs.rmSync(tmp, { recursive: true, force: true });
    trace.disable();
    context.disable();
  });

  it('follows one order through outbox, projection and RPC in one trace, and each app serves its series', async () => {
    // Imported after the environment is set: the sample modules read it when loaded.
    const { OrdersModule } = await import('../apps/orders/src/orders.module');
    const { OrdersService } = await import('../apps/orders/src/orders.service');
    const { InventoryModule } = await import('../apps/inventory/src/inventory.module');
    const { GatewayModule } = await import('../apps/gateway/src/gateway.module');
    const { GatewayController } = await import('../apps/gateway/src/gateway.controller');

    const sku = `sku-${randomBytes(3).toString('hex')}`;
    const stockAlertsProjection = uniqueName('stock-alerts');
    const inventory = await bootApp(apps, InventoryModule, 'listen');
    const orders = await bootApp(apps, OrdersModule, 'listen');
    const gateway = await bootApp(apps, GatewayModule, 'listen');
    await bootApp(
      apps,
      StockAlertsModule.register({ brokers: testBrokers(), databasePath: path.join(tmp, 'stock-alerts.sqlite'), projectionName: stockAlertsProjection, sku }),
      'listen',
    );
    // Inventory's RPC server is in its group before the projection calls it (errors mean "not yet").
    const gatewayController = gateway.get(GatewayController);
    await waitFor(() => gatewayController.stock(sku), { timeoutMs: 60_000, description: 'inventory to answer RPC' });

    // The request span an HTTP instrumentation would start around POST /orders.
    const order = await trace
      .getTracer('observability-e2e')
      .startActiveSpan('POST /orders', { kind: SpanKind.SERVER }, async (span) => {
        try {
          return await orders.get(OrdersService).placeOrder({ customerId: 'customer-1', sku, quantity: 4 });
        } finally {
          span.end();
        }
      });
    const spans = () => exporter.getFinishedSpans();
    const root = spans().find((s) => s.name === 'POST /orders')!;
    const traceId = root.spanContext().traceId;
    const inTrace = () => spans().filter((s) => s.spanContext().traceId === traceId);
    const ofKind = (kind: SpanKind, name: string) => inTrace().filter((s) => s.kind === kind && s.name === name);
    // A process span ends after its batch commits, so after the RPC spans of its handler.
    await waitFor(() => ofKind(SpanKind.CONSUMER, `process ${TOPIC}`).length >= 2 && ofKind(SpanKind.SERVER, `inventory/${METHOD}`).length >= 1, {
      timeoutMs: 60_000,
      description: 'both projections\' process spans and the RPC server span in the order\'s trace',
    });
    const server = ofKind(SpanKind.SERVER, `inventory/${METHOD}`)[0];
    const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;

    // create <topic>: PRODUCER, child of the request span.
    const creates = ofKind(SpanKind.PRODUCER, `create ${TOPIC}`);
    expect(creates).toHaveLength(1);
    const create = creates[0];
    expect(parentOf(create)).toBe(root.spanContext().spanId);
    expect(create.attributes).toMatchObject({
      'messaging.system': 'kafka',
      'messaging.destination.name': TOPIC,
      'messaging.kafka.message.key': order.id,
      'messaging.message.id': expect.any(String),
    });
    const eventId = create.attributes['messaging.message.id'];

    // send <topic>: the relay's PRODUCER span in its own trace, linked to the row's create span.
    const send = await waitFor(() =>
      spans().find((s) => s.name === `send ${TOPIC}` && s.links.some((l) => l.context.spanId === create.spanContext().spanId)),
    );
    expect(send.kind).toBe(SpanKind.PRODUCER);
    expect(send.links.find((l) => l.context.spanId === create.spanContext().spanId)!.context.traceId).toBe(traceId);
    expect(send.attributes).toMatchObject({
      'messaging.system': 'kafka',
      'messaging.operation.type': 'send',
      'messaging.destination.name': TOPIC,
      'messaging.batch.message_count': expect.any(Number),
    });

    // process <topic>: one CONSUMER span per projection, each a child of the create span.
    const processes = ofKind(SpanKind.CONSUMER, `process ${TOPIC}`);
    const groups = processes.map((s) => s.attributes['messaging.consumer.group.name']).sort();
    expect(groups).toEqual([`inventory.projection.inventory.reserved-stock`, `stock-alerts.projection.${stockAlertsProjection}`].sort());
    for (const process of processes) {
      expect(parentOf(process)).toBe(create.spanContext().spanId);
      expect(process.attributes).toMatchObject({
        'messaging.system': 'kafka',
        'messaging.operation.type': 'process',
        'messaging.destination.name': TOPIC,
        'messaging.destination.partition.id': expect.stringMatching(/^\d+$/),
        'messaging.kafka.offset': expect.any(Number),
        'messaging.message.id': eventId,
        'messaging.kafka.message.key': order.id,
      });
    }
    const alertsProcess = processes.find((s) => s.attributes['messaging.consumer.group.name'] === `stock-alerts.projection.${stockAlertsProjection}`)!;

    // RPC CLIENT (child of the stock-alerts process span) → SERVER (child of the client span).
    const clients = ofKind(SpanKind.CLIENT, `inventory/${METHOD}`);
    expect(clients).toHaveLength(1);
    const client = clients[0];
    expect(parentOf(client)).toBe(alertsProcess.spanContext().spanId);
    expect(parentOf(server)).toBe(client.spanContext().spanId);
    for (const rpcSpan of [client, server]) {
      expect(rpcSpan.attributes).toMatchObject({ 'rpc.system': 'tributary', 'rpc.service': 'inventory', 'rpc.method': METHOD });
      expect(rpcSpan.status.code).not.toBe(SpanStatusCode.ERROR);
    }
    expect(server.attributes).toMatchObject({ 'messaging.system': 'kafka' });
    // Nothing else joined the trace: request, create, two process spans, client, server.
    expect(inTrace()).toHaveLength(6);

    // Each app's /metrics (one registry per process: every app serves all of them).
    const ordersMetrics = await waitFor(async () => {
      const samples = await scrape(orders);
      return samplesOf(samples, 'tributary_outbox_events_shipped_total', { table: 'tributary_outbox', messaging_destination_name: TOPIC }).some((s) => s.value >= 1)
        ? samples
        : undefined;
    });
    expect(samplesOf(ordersMetrics, 'tributary_outbox_pending_rows', { table: 'tributary_outbox' })).toHaveLength(1);
    expect(samplesOf(ordersMetrics, 'tributary_outbox_commit_to_ack_seconds_count', { table: 'tributary_outbox' })[0]?.value).toBeGreaterThanOrEqual(1);
    const inventoryMetrics = await scrape(inventory);
    expect(
      samplesOf(inventoryMetrics, 'tributary_projection_events_applied_total', { projection: 'inventory.reserved-stock', event_type: 'orders.order-placed' })[0]?.value,
    ).toBeGreaterThanOrEqual(1);
    expect(samplesOf(inventoryMetrics, 'tributary_projection_lag', { projection: 'inventory.reserved-stock', messaging_destination_name: TOPIC }).length).toBeGreaterThan(0);
    expect(samplesOf(inventoryMetrics, 'tributary_rpc_server_duration_seconds_count', { rpc_service: 'inventory', rpc_method: METHOD, outcome: 'ok' })[0]?.value).toBeGreaterThanOrEqual(2);
    const gatewayMetrics = await scrape(gateway);
    expect(samplesOf(gatewayMetrics, 'tributary_rpc_client_duration_seconds_count', { rpc_service: 'inventory', rpc_method: METHOD, outcome: 'ok' })[0]?.value).toBeGreaterThanOrEqual(2);
    expect(samplesOf(gatewayMetrics, 'process_cpu_seconds_total')).toHaveLength(1);
  });
});
