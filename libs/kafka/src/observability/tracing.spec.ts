import { trace, TraceFlags } from '@opentelemetry/api';
import { contextFromTraceparent, spanContextFromTraceparent, traceparentOf } from './tracing';

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
