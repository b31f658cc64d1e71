import { Logger, type INestApplicationContext } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { TributaryHeaders } from '@tributary/kafka';
import { OutboxAdmin, OutboxPublisher, OutboxRelay } from '@tributary/outbox';
import { testBrokers, TopicCapture, uniqueIdentifier, uniqueName, waitFor } from '@tributary/testing';
import { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { databaseOptions, defineOrderEvent, startOutboxApp } from './outbox-test.fixtures';

/** One series of a metric on `registry` (gauges run their collectors), or undefined. */
async function seriesValue(registry: Registry, name: string, labels: Record<string, string>, metricName = name): Promise<number | undefined> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return undefined;
  const { values } = await metric.get();
  // Histogram values name their series (`_count`, `_sum`, `_bucket`); counter and gauge values do not.
  const match = values.find((v) => ((v as { metricName?: string }).metricName ?? name) === metricName && Object.entries(labels).every(([k, value]) => v.labels[k] === value));
  return match?.value;
}

describe('outbox metrics, traces and slow-batch log (PostgreSQL)', () => {
  const brokers = testBrokers();
  const registry = new Registry();
  const exporter = new InMemorySpanExporter();
  const topicA = uniqueName('outbox-obs-a');
  const topicB = uniqueName('outbox-obs-b');
  const topicC = uniqueName('outbox-obs-c');
  const tableA = uniqueIdentifier('outbox_obs_a');
  const tableC = uniqueIdentifier('outbox_obs_c');
  const EventA = defineOrderEvent(topicA);
  const EventB = defineOrderEvent(topicB);
  const EventC = defineOrderEvent(topicC);
  const SECRET = 'payload-must-not-be-logged';
  let appA: INestApplicationContext;
  let appC: INestApplicationContext | undefined;
  let capture: TopicCapture;
  let warn: jest.SpyInstance;

  const startApp = (tableName: string, events: Array<new (...args: never[]) => object>) =>
    startOutboxApp({
      brokers,
      database: databaseOptions('postgres'),
      kafka: { metrics: { registry, defaultMetrics: false } },
      outbox: {
        tableName,
        lanes: 4,
        ensureSchema: true,
        events: events as never,
        metricsRefreshMs: 100,
        relay: { pollIntervalMs: 100, maxAttempts: 1, slowBatchThresholdMs: 1 },
      },
    });
  const publish = (app: INestApplicationContext, events: object[]) =>
    app.get<DataSource>(getDataSourceToken()).transaction((m) => app.get(OutboxPublisher).publish(m, events));
  const value = (name: string, labels: Record<string, string>, metricName?: string) => seriesValue(registry, name, labels, metricName);
  const dropTables = async (app: INestApplicationContext | undefined, table: string) => {
    await app?.get(OutboxRelay).stop();
    await app?.get<DataSource>(getDataSourceToken()).query(`DROP TABLE IF EXISTS "${table}_lanes", "${table}"`).catch(() => undefined);
  };

  beforeAll(async () => {
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    warn = jest.spyOn(Logger.prototype, 'warn');
    appA = await startApp(tableA, [EventA, EventB]);
    capture = await TopicCapture.start(brokers, [topicA, topicB]);
  }, 60_000);

  afterAll(async () => {
    warn?.mockRestore();
    await capture?.stop();
    await dropTables(appC, tableC);
    await appC?.close();
    await dropTables(appA, tableA);
    await appA?.close();
    trace.disable();
    context.disable();
  }, 60_000);

  it('counts shipped events by topic, commit→ack latencies, dead rows and refusals; pending drains to 0', async () => {
    await publish(appA, Array.from({ length: 12 }, (_, seq) => new EventA({ orderId: `a-${seq % 3}`, seq })));
    await publish(appA, Array.from({ length: 5 }, (_, seq) => new EventB({ orderId: `b-${seq % 2}`, seq })));
    await publish(appA, [new EventA({ orderId: 'too-big', seq: 0, note: 'x'.repeat(1_200_000) })]);
    await waitFor(() => capture.messages.length >= 17, { description: '17 events on Kafka' });

    const pending = await waitFor(async () => {
      const [p, dead] = await Promise.all([
        value('tributary_outbox_pending_rows', { table: tableA }),
        value('tributary_outbox_dead_rows', { table: tableA }),
      ]);
      return p === 0 && dead === 1 ? { p, dead } : undefined;
    }, { description: 'pending 0 and one dead row on the gauges' });
    expect(pending).toEqual({ p: 0, dead: 1 });
    expect(await value('tributary_outbox_retrying_rows', { table: tableA })).toBe(0);
    expect(await value('tributary_outbox_oldest_pending_age_seconds', { table: tableA })).toBe(0);
    expect((await appA.get(OutboxAdmin).listDead()).map((r) => r.key)).toEqual(['too-big']);

    const shipped = 'tributary_outbox_events_shipped_total';
    expect(await value(shipped, { table: tableA, messaging_destination_name: topicA })).toBe(12);
    expect(await value(shipped, { table: tableA, messaging_destination_name: topicB })).toBe(5);
    expect(await value('tributary_outbox_commit_to_ack_seconds', { table: tableA }, 'tributary_outbox_commit_to_ack_seconds_count')).toBe(17);
    expect(await value('tributary_outbox_send_failures_total', { table: tableA, reason: 'refused' })).toBe(1);
    const batches = await value('tributary_outbox_relay_batch_size', { table: tableA }, 'tributary_outbox_relay_batch_size_count');
    expect(batches).toBeGreaterThan(0);
    expect(await value('tributary_outbox_relay_batch_size', { table: tableA }, 'tributary_outbox_relay_batch_size_sum')).toBe(18);
    expect(await value('tributary_outbox_relay_send_duration_seconds', { table: tableA }, 'tributary_outbox_relay_send_duration_seconds_count')).toBe(batches);
  }, 60_000);

  it('logs slow batches once at warn with table, lanes, rows and topics, never the payload', async () => {
    await publish(appA, [new EventA({ orderId: 'slow', seq: 1, note: SECRET })]);
    await waitFor(() => capture.messages.some((m) => m.key === 'slow'), { description: 'the event on Kafka' });
    const slow = await waitFor(() => {
      const lines = warn.mock.calls.map((c) => String(c[0])).filter((l) => l.startsWith('slow: outbox relay batch on') && l.includes(topicA));
      return lines.length > 0 ? lines : undefined;
    }, { description: 'a slow-batch warning' });
    expect(slow[0]).toMatch(new RegExp(`^slow: outbox relay batch on ${tableA} \\(\\d+ lanes, \\d+ rows, topics: [^)]*${topicA}[^)]*\\) took \\d+ ms \\(threshold 1 ms\\)$`));
    const all = warn.mock.calls.map((c) => c.map(String).join(' ')).join('\n');
    expect(all).not.toContain(SECRET);
    expect(all).not.toContain('xxxxxxxxxx');
  }, 60_000);

  it('stores the active trace in the row: the create span is its child, the header carries it, the send span links to it', async () => {
    const tracer = trace.getTracer('test');
    const request = tracer.startSpan('POST /orders');
    const [eventId] = await context.with(trace.setSpan(context.active(), request), () =>
      publish(appA, [new EventA({ orderId: 'traced', seq: 1 })]),
    );
    request.end();
    const message = await waitFor(() => capture.messages.find((m) => m.headers[TributaryHeaders.EVENT_ID] === eventId), {
      description: 'the traced event on Kafka',
    });
    const traceId = request.spanContext().traceId;
    const create = exporter.getFinishedSpans().find((s) => s.name === `create ${topicA}` && s.attributes['messaging.message.id'] === eventId)!;
    expect(create).toBeDefined();
    expect(create.kind).toBe(SpanKind.PRODUCER);
    expect(create.spanContext().traceId).toBe(traceId);
    expect(create.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
    expect(message.headers[TributaryHeaders.TRACEPARENT]).toBe(`00-${traceId}-${create.spanContext().spanId}-01`);

    const send = await waitFor<ReadableSpan | undefined>(
      () => exporter.getFinishedSpans().find((s) => s.name === `send ${topicA}` && s.links.some((l) => l.context.spanId === create.spanContext().spanId)),
      { description: 'the relay send span linked to the create span' },
    );
    expect(send.kind).toBe(SpanKind.PRODUCER);
    expect(send.links.find((l) => l.context.spanId === create.spanContext().spanId)!.context.traceId).toBe(traceId);
    expect(send.attributes).toMatchObject({
      'messaging.system': 'kafka',
      'messaging.operation.type': 'send',
      'messaging.destination.name': topicA,
      'messaging.batch.message_count': send.links.length,
    });
    // The relay's span starts a trace of its own (it ships rows of many requests): linked, not a child.
    expect(send.spanContext().traceId).not.toBe(traceId);
    // The dead row's send failed: its span says so.
    expect(exporter.getFinishedSpans().some((s) => s.name === `send ${topicA}` && s.status.code === 2)).toBe(true);
  }, 60_000);

  it('lets a second app share the registry, each reporting its own table, and removes its series when it closes', async () => {
    appC = await startApp(tableC, [EventC]);
    await publish(appC, [new EventC({ orderId: 'c', seq: 1 })]);
    const shippedC = { table: tableC, messaging_destination_name: topicC };
    await waitFor(async () => (await value('tributary_outbox_events_shipped_total', shippedC)) === 1, { description: 'app C ships its event' });
    await waitFor(async () => (await value('tributary_outbox_pending_rows', { table: tableC })) === 0, { description: 'app C pending 0' });
    expect(await value('tributary_outbox_pending_rows', { table: tableA })).toBe(0);
    expect(await value('tributary_outbox_dead_rows', { table: tableC })).toBe(0);
    expect(await value('tributary_outbox_dead_rows', { table: tableA })).toBe(1);
    expect(await value('tributary_outbox_events_shipped_total', { table: tableC, messaging_destination_name: topicA })).toBeUndefined();

    await dropTables(appC, tableC);
    await appC.close();
    appC = undefined;
    expect(await value('tributary_outbox_pending_rows', { table: tableC })).toBeUndefined();
    expect(await value('tributary_outbox_pending_rows', { table: tableA })).toBe(0);
    expect(await registry.metrics()).toContain(`tributary_outbox_dead_rows{table="${tableA}"} 1`);
  }, 60_000);
});
