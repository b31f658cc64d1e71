import { trace, TraceFlags } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { contextFromTraceparent, spanContextFromTraceparent, traceparentOf, tracingEnabled } from './tracing';

describe('trace context helpers', () => {
  const tp = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

  it('round-trips a traceparent through a span context', () => {
    const sc = spanContextFromTraceparent(tp)!;
    expect(sc).toMatchObject({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED, isRemote: true });
    expect(traceparentOf(sc)).toBe(tp);
    expect(trace.getSpanContext(contextFromTraceparent(tp))).toEqual(sc);
  });

  it('ignores invalid or absent trace contexts', () => {
    expect(spanContextFromTraceparent(undefined)).toBeUndefined();
    expect(spanContextFromTraceparent('00-00000000000000000000000000000000-b7ad6b7169203331-01')).toBeUndefined();
    expect(trace.getSpanContext(contextFromTraceparent('garbage'))).toBeUndefined();
    expect(traceparentOf(trace.wrapSpanContext({ traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: 0 }).spanContext())).toBeUndefined();
  });
});

describe('tracingEnabled', () => {
  afterEach(() => trace.disable());

  it('is off until an SDK registers a tracer provider, and off again once it is removed', () => {
    expect(tracingEnabled()).toBe(false);
    trace.setGlobalTracerProvider(new BasicTracerProvider());
    expect(tracingEnabled()).toBe(true);
    trace.disable();
    expect(tracingEnabled()).toBe(false);
  });
});
