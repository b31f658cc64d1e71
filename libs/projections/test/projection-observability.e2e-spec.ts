import { Logger, type INestApplicationContext } from '@nestjs/common';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { IntegrationEvent, traceparentOf } from '@tributary/kafka';
import {
  On,
  OnBatch,
  Projection,
  ProjectionsService,
  type ProjectionBatchItem,
  type ProjectionContext,
} from '@tributary/projections';
import { uniqueName, waitFor } from '@tributary/testing';
import { IsInt, IsString } from 'class-validator';
import { Registry } from 'prom-client';
import { lastValueFrom } from 'rxjs';
import type { DataSource, EntityManager } from 'typeorm';
import {
  closeDataSource,
  counterEvents,
  createLogTable,
  createTopics,
  defineCounterEvents,
  logApplication,
  openDataSource,
  readLog,
  startProjectionsApp,
  TestProducer,
} from './support/projection-fixtures';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Scrape the registry in Prometheus' text format and parse its samples. */
async function scrape(registry: Registry): Promise<Sample[]> {
  const text = await registry.metrics();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[k] = v;
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return samples;
}

/** The value of the sample whose labels include `labels` (undefined when there is none). */
function valueOf(samples: Sample[], name: string, labels: Record<string, string>): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

/** Sum of the lag series of a projection. */
function lagOf(samples: Sample[], projection: string): number {
  const series = samples.filter((s) => s.name === 'tributary_projection_lag' && s.labels.projection === projection);
  if (series.length === 0) throw new Error(`no lag series for ${projection}`);
  return series.reduce((sum, s) => sum + s.value, 0);
}

describe('projection metrics, traces and slow-handler log (PostgreSQL)', () => {
  const { topic, type, CounterIncremented } = defineCounterEvents('observability');
  const resetType = uniqueName('observability.reset');
  @IntegrationEvent({ type: resetType, topic, key: 'counterId' })
  class CounterReset {
    @IsString() counterId!: string;
    @IsInt() amount!: number;
    @IsInt() seq!: number;
  }

  const name = uniqueName('observed');
  const batchName = uniqueName('observed-batch');
  const FAILING = 'failing-counter';
  const SLOW = 'slow-secret-payload-7f3a';
  const TRACED = 'traced-counter';
  const registry = new Registry();
  const exporter = new InMemorySpanExporter();
  const warnings: string[] = [];
  let ds: DataSource;
  let app: INestApplicationContext;
  let producer: TestProducer;
  let log: string;
  let batchLog: string;
  let slowAt: string | undefined;
  let gate: Promise<void> | undefined;

  beforeAll(async () => {
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    const warn = Logger.prototype.warn;
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(function (this: Logger, message: unknown, ...rest: unknown[]) {
      warnings.push(String(message));
      // Every handler is "slow" at 1 ms: keep those lines out of the test output.
      if (!String(message).startsWith('slow:')) warn.call(this, message, ...rest);
    });
    ds = await openDataSource('postgres');
    log = await createLogTable(ds);
    batchLog = await createLogTable(ds);
    await createTopics([{ topic, numPartitions: 2 }]);
    producer = await TestProducer.connect();

    @Projection({ name, tables: [log], maxAttempts: 2, slowHandlerThresholdMs: 1 })
    class ObservedLog {
      @On(CounterIncremented)
      async incremented(event: InstanceType<typeof CounterIncremented>, ctx: ProjectionContext) {
        if (gate) await gate;
        if (event.counterId === FAILING) throw new Error('handler refuses this counter');
        if (event.counterId === SLOW) {
          slowAt = `${ctx.topic}[${ctx.partition}]@${ctx.offset}`;
          await sleep(20);
        }
        // What an RPC client would do inside the handler: a span of its own, child of the active one.
        if (event.counterId === TRACED) trace.getTracer('test').startSpan('rpc-call').end();
        await logApplication(ctx.manager, log, event, ctx);
      }

      @On(CounterReset)
      async reset(event: CounterReset, ctx: ProjectionContext) {
        await logApplication(ctx.manager, log, event, ctx);
      }
    }

    @Projection({ name: batchName, tables: [batchLog] })
    class ObservedBatch {
      @OnBatch(CounterReset)
      async resets(items: ProjectionBatchItem<CounterReset>[], manager: EntityManager) {
        for (const { event, context: ctx } of items) await logApplication(manager, batchLog, event, ctx);
      }
    }

    app = await startProjectionsApp({
      dataSource: ds,
      providers: [ObservedLog, ObservedBatch],
      projections: { metricsRefreshMs: 0 },
      kafka: { metrics: { registry, defaultMetrics: false } },
    });
  });

  afterAll(async () => {
    await app?.close();
    await producer?.close();
    for (const table of [log, batchLog]) await ds?.query(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
    await closeDataSource(ds);
    jest.restoreAllMocks();
    trace.disable();
    context.disable();
  });

  it('counts applied events per type and handler calls; lag reaches 0', async () => {
    const increments = counterEvents(5, 6);
    const resets = counterEvents(4, 3);
    await producer.sendEvents(topic, type, increments);
    await producer.sendEvents(topic, resetType, resets);
    await waitFor(
      async () => {
        const samples = await scrape(registry);
        return lagOf(samples, name) === 0 && lagOf(samples, batchName) === 0;
      },
      { timeoutMs: 60_000, intervalMs: 250, description: 'lag metric of both projections to reach 0' },
    );
    const samples = await scrape(registry);
    const applied = (projection: string, eventType: string) =>
      valueOf(samples, 'tributary_projection_events_applied_total', { projection, event_type: eventType });
    expect(applied(name, type)).toBe(increments.length);
    expect(applied(name, resetType)).toBe(resets.length);
    expect(applied(batchName, resetType)).toBe(resets.length);
    expect(applied(batchName, type)).toBeUndefined(); // not its event: ignored, never counted
    expect(valueOf(samples, 'tributary_projection_handler_duration_seconds_count', { projection: name, event_type: type })).toBe(increments.length);
    // @OnBatch: one observation per run, so at least one and at most one per event.
    const batchCalls = valueOf(samples, 'tributary_projection_handler_duration_seconds_count', { projection: batchName, event_type: resetType })!;
    expect(batchCalls).toBeGreaterThanOrEqual(1);
    expect(batchCalls).toBeLessThanOrEqual(resets.length);
    expect(valueOf(samples, 'tributary_projection_state', { projection: name, state: 'running' })).toBe(1);
    expect(valueOf(samples, 'tributary_projection_state', { projection: name, state: 'stopped' })).toBe(0);
    expect(valueOf(samples, 'tributary_projection_rebuild_progress_ratio', { projection: name })).toBe(1);
    expect(samples.filter((s) => s.name === 'tributary_projection_lag' && s.labels.projection === name).map((s) => s.labels)).toEqual(
      expect.arrayContaining([
        { projection: name, messaging_destination_name: topic, messaging_destination_partition_id: '0' },
        { projection: name, messaging_destination_name: topic, messaging_destination_partition_id: '1' },
      ]),
    );
  });

  it('reports lag while the projection is stopped with events waiting, and 0 once it caught up', async () => {
    const service = app.get(ProjectionsService);
    await service.stop(name);
    let samples: Sample[];
    try {
      await producer.sendEvents(topic, type, counterEvents(3, 2));
      samples = await scrape(registry);
      expect(lagOf(samples, name)).toBe(6);
      expect(valueOf(samples, 'tributary_projection_state', { projection: name, state: 'stopped' })).toBe(1);
      expect(valueOf(samples, 'tributary_projection_state', { projection: name, state: 'running' })).toBe(0);
    } finally {
      await service.start(name);
    }
    await waitFor(async () => lagOf(await scrape(registry), name) === 0, { timeoutMs: 60_000, intervalMs: 250, description: 'lag back to 0' });
    samples = await scrape(registry);
    expect(valueOf(samples, 'tributary_projection_state', { projection: name, state: 'running' })).toBe(1);
  });

  it('counts dead letters by reason and marks the failing handler\'s spans as errors', async () => {
    const [failingId] = await producer.sendEvents(topic, type, [{ key: FAILING, payload: { counterId: FAILING, amount: 1, seq: 1 } }]);
    await producer.sendEvents(topic, type, [{ key: 'bad', payload: { counterId: 'bad', amount: 'not a number', seq: 1 } }]);
    await producer.sendRaw(topic, [{ key: 'garbage', value: 'not an envelope' }]);
    const deadLettered = async (reason: string) =>
      valueOf(await scrape(registry), 'tributary_projection_dead_lettered_total', { projection: name, reason });
    await waitFor(async () => (await deadLettered('handler-failed')) === 1 && (await deadLettered('invalid')) === 1, {
      timeoutMs: 60_000,
      intervalMs: 250,
      description: 'dead-letter counters',
    });
    expect(await deadLettered('undecodable')).toBe(1);
    const failed = exporter.getFinishedSpans().filter((s) => s.attributes['messaging.message.id'] === failingId);
    expect(failed.length).toBeGreaterThanOrEqual(2); // maxAttempts: 2
    for (const span of failed) {
      expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'handler refuses this counter' });
      expect(span.events.find((e) => e.name === 'exception')?.attributes?.['exception.message']).toBe('handler refuses this counter');
    }
  });

  it('continues the message\'s trace in a CONSUMER process span the handler runs in', async () => {
    const tracer = trace.getTracer('test');
    const upstream = tracer.startSpan('POST /counters');
    upstream.end();
    const traceparent = traceparentOf(upstream.spanContext())!;
    const [eventId] = await producer.sendEvents(topic, type, [{ key: TRACED, payload: { counterId: TRACED, amount: 1, seq: 1 }, traceparent }]);
    const batchUpstream = tracer.startSpan('POST /resets');
    batchUpstream.end();
    await producer.sendEvents(topic, resetType, [
      { key: TRACED, payload: { counterId: TRACED, amount: 1, seq: 2 }, traceparent: traceparentOf(batchUpstream.spanContext()) },
    ]);

    let processSpan: ReadableSpan | undefined;
    let batchSpan: ReadableSpan | undefined;
    await waitFor(
      () => {
        const spans = exporter.getFinishedSpans();
        processSpan = spans.find((s) => s.attributes['messaging.message.id'] === eventId);
        batchSpan = spans.find((s) => s.links.some((l) => l.context.spanId === batchUpstream.spanContext().spanId));
        return processSpan !== undefined && batchSpan !== undefined;
      },
      { timeoutMs: 60_000, description: 'process spans' },
    );
    const span = processSpan!;
    expect(span.name).toBe(`process ${topic}`);
    expect(span.kind).toBe(SpanKind.CONSUMER);
    expect(span.spanContext().traceId).toBe(upstream.spanContext().traceId);
    expect(span.parentSpanContext?.spanId).toBe(upstream.spanContext().spanId);
    expect(span.status.code).not.toBe(SpanStatusCode.ERROR);
    expect(span.attributes).toMatchObject({
      'messaging.system': 'kafka',
      'messaging.operation.type': 'process',
      'messaging.destination.name': topic,
      'messaging.consumer.group.name': `projections-test.projection.${name}`,
      'messaging.message.id': eventId,
      'messaging.kafka.message.key': TRACED,
    });
    expect(['0', '1']).toContain(span.attributes['messaging.destination.partition.id']);
    expect(typeof span.attributes['messaging.kafka.offset']).toBe('number');

    const child = exporter.getFinishedSpans().find((s) => s.name === 'rpc-call');
    expect(child?.spanContext().traceId).toBe(upstream.spanContext().traceId);
    expect(child?.parentSpanContext?.spanId).toBe(span.spanContext().spanId);

    // @OnBatch: one span per run, linked to (not parented by) each message's context.
    const batch = batchSpan!;
    expect(batch.name).toBe(`process ${topic}`);
    expect(batch.kind).toBe(SpanKind.CONSUMER);
    expect(batch.spanContext().traceId).not.toBe(batchUpstream.spanContext().traceId);
    expect(batch.attributes).toMatchObject({
      'messaging.system': 'kafka',
      'messaging.operation.type': 'process',
      'messaging.batch.message_count': batch.links.length,
      'messaging.consumer.group.name': `projections-test.projection.${batchName}`,
    });
    expect(batch.attributes['messaging.message.id']).toBeUndefined();
    expect(batch.links.map((l) => l.context.traceId)).toContain(batchUpstream.spanContext().traceId);
  });

  it('logs a handler slower than the threshold at warn, without the payload', async () => {
    await producer.sendEvents(topic, type, [{ key: SLOW, payload: { counterId: SLOW, amount: 1, seq: 1 } }]);
    await waitFor(() => slowAt !== undefined && warnings.some((w) => w.includes(`${slowAt} took`)), {
      timeoutMs: 60_000,
      description: 'slow-handler warning',
    });
    const line = warnings.find((w) => w.includes(`${slowAt} took`))!;
    expect(line).toMatch(new RegExp(`^slow: projection "${name}" handler ObservedLog\\.incremented \\(${type.replace(/\./g, '\\.')}\\) on .+ took \\d+ ms \\(threshold 1 ms\\)$`));
    expect(warnings.filter((w) => w.includes(SLOW))).toEqual([]);
  });

  it('reports rebuild progress below 1 while rebuilding and 1 once caught up', async () => {
    const service = app.get(ProjectionsService);
    let open!: () => void;
    gate = new Promise<void>((resolve) => (open = resolve));
    const progress = await service.rebuild(name);
    try {
      const samples = await scrape(registry);
      expect(valueOf(samples, 'tributary_projection_rebuild_progress_ratio', { projection: name })).toBeLessThan(1);
      expect(valueOf(samples, 'tributary_projection_state', { projection: name, state: 'rebuilding' })).toBe(1);
    } finally {
      gate = undefined;
      open();
    }
    await lastValueFrom(progress);
    const samples = await scrape(registry);
    expect(valueOf(samples, 'tributary_projection_rebuild_progress_ratio', { projection: name })).toBe(1);
    expect(valueOf(samples, 'tributary_projection_state', { projection: name, state: 'running' })).toBe(1);
    expect((await readLog(ds, log)).length).toBeGreaterThan(0);
  });

  it('shares the registry with a second app, each reporting only its own projections', async () => {
    const otherName = uniqueName('observed-other');
    @Projection({ name: otherName })
    class Other {
      @On(CounterReset) reset() {}
    }
    const other = await startProjectionsApp({
      dataSource: ds,
      providers: [Other],
      projections: { autoStart: false, metricsRefreshMs: 0 },
      kafka: { metrics: { registry, defaultMetrics: false } },
    });
    let samples: Sample[];
    try {
      samples = await scrape(registry);
      expect(valueOf(samples, 'tributary_projection_state', { projection: otherName, state: 'idle' })).toBe(1);
      expect(lagOf(samples, otherName)).toBeGreaterThan(0); // never started: everything is waiting
      expect(valueOf(samples, 'tributary_projection_state', { projection: name, state: 'running' })).toBe(1);
    } finally {
      await other.close();
    }
    samples = await scrape(registry);
    expect(samples.filter((s) => s.labels.projection === otherName)).toEqual([]);
    expect(valueOf(samples, 'tributary_projection_state', { projection: name, state: 'running' })).toBe(1);
    expect(lagOf(samples, name)).toBe(0);
  });
});
