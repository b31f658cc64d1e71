import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { contextFromTraceparent, isValidTraceparent, tributaryTracer } from '@tributary/kafka';
import { OutboxPublishTrace, OutboxSendTrace } from './outbox-tracing';

const PARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const OTHER = '00-11111111111111111111111111111111-2222222222222222-01';

describe('outbox tracing without an SDK (no tracer provider)', () => {
  // A context manager alone, so a context can be active without any tracer.
  beforeAll(() => context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable()));
  afterAll(() => context.disable());

  it('stores the active context\'s traceparent, a child of the explicit one, or a fresh one', () => {
    const active = context.with(contextFromTraceparent(PARENT), () => new OutboxPublishTrace(undefined).startEvent('t', 'e1', 'k'));
    expect(active).toBe(PARENT);
    const child = new OutboxPublishTrace(PARENT).startEvent('t', 'e1', null);
    expect(child.slice(0, 36)).toBe(PARENT.slice(0, 36));
    expect(child).not.toBe(PARENT);
    const fresh = new OutboxPublishTrace(undefined).startEvent('t', 'e1', null);
    expect(isValidTraceparent(fresh)).toBe(true);
    expect(fresh.slice(3, 35)).not.toBe(PARENT.slice(3, 35));
  });

  it('reads no row headers to build links', () => {
    const messages = [{ key: 'k', value: 'v', get headers(): Record<string, string> { throw new Error('headers read'); } }];
    expect(() => new OutboxSendTrace([{ topic: 't', messages }]).end(new Set())).not.toThrow();
  });
});

describe('outbox tracing with an SDK', () => {
  const exporter = new InMemorySpanExporter();
  beforeAll(() => {
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  });
  afterAll(() => {
    trace.disable();
    context.disable();
  });
  beforeEach(() => exporter.reset());

  it('starts a create span per event under the active span and stores its context', () => {
    const parent = tributaryTracer().startSpan('request');
    const stored = context.with(trace.setSpan(context.active(), parent), () => {
      const publish = new OutboxPublishTrace(undefined);
      const tps = [publish.startEvent('orders', 'e1', 'k1'), publish.startEvent('orders', 'e2', null)];
      publish.end();
      return tps;
    });
    parent.end();
    const creates = exporter.getFinishedSpans().filter((s) => s.name === 'create orders');
    expect(creates).toHaveLength(2);
    for (const [i, span] of creates.entries()) {
      expect(span.kind).toBe(SpanKind.PRODUCER);
      expect(span.spanContext().traceId).toBe(parent.spanContext().traceId);
      expect(span.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
      expect(stored[i]).toBe(`00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`);
    }
    expect(creates[0].attributes).toMatchObject({ 'messaging.destination.name': 'orders', 'messaging.message.id': 'e1', 'messaging.kafka.message.key': 'k1' });
  });

  it('marks the create spans failed when publish fails', () => {
    const publish = new OutboxPublishTrace(PARENT);
    publish.startEvent('orders', 'e1', null);
    publish.end(new TypeError('bad event'));
    const [span] = exporter.getFinishedSpans();
    expect(span.spanContext().traceId).toBe(PARENT.slice(3, 35));
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe('TypeError');
  });

  it('starts one send span per topic, linked to each row\'s stored context, failing only the failed topics', () => {
    const send = new OutboxSendTrace([
      { topic: 'a', messages: [{ value: '1', headers: { traceparent: PARENT } }, { value: '2', headers: { traceparent: OTHER } }] },
      { topic: 'b', messages: [{ value: '3', headers: { traceparent: Buffer.from(OTHER) } }, { value: '4', headers: {} }] },
    ]);
    send.end(new Set(['b']), new Error('MESSAGE_TOO_LARGE'));
    const spans = exporter.getFinishedSpans();
    const a = spans.find((s) => s.name === 'send a')!;
    const b = spans.find((s) => s.name === 'send b')!;
    expect(a.kind).toBe(SpanKind.PRODUCER);
    expect(a.attributes).toMatchObject({
      'messaging.system': 'kafka',
      'messaging.operation.type': 'send',
      'messaging.destination.name': 'a',
      'messaging.batch.message_count': 2,
    });
    expect(a.links.map((l) => l.context.spanId)).toEqual(['b7ad6b7169203331', '2222222222222222']);
    expect(b.links.map((l) => l.context.traceId)).toEqual(['11111111111111111111111111111111']);
    expect(a.status.code).toBe(SpanStatusCode.UNSET);
    expect(b.status.code).toBe(SpanStatusCode.ERROR);
  });
});
