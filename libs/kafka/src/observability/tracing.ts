import {
  context as otelContext,
  ProxyTracerProvider,
  ROOT_CONTEXT,
  trace,
  TraceFlags,
  type Context,
  type SpanContext,
  type Tracer,
} from '@opentelemetry/api';
import { isValidTraceparent } from '../codec/traceparent';

/** Instrumentation scope of every Tributary span. */
export const TRIBUTARY_TRACER_NAME = '@tributary';

/**
 * The tracer Tributary's libs use: a no-op until the application registers an OpenTelemetry SDK
 * (the libs depend on `@opentelemetry/api` only).
 */
export function tributaryTracer(): Tracer {
  return trace.getTracer(TRIBUTARY_TRACER_NAME);
}

/** The no-op provider a `ProxyTracerProvider` delegates to until an SDK registers (a singleton of the api). */
const NOOP_TRACER_PROVIDER = new ProxyTracerProvider().getDelegate();

/**
 * Whether an OpenTelemetry SDK is registered. Without one every span is a no-op, so hot paths can
 * skip them altogether: no span, attribute or context object per message. Cheap (no allocation):
 * check it per batch or per call, so a provider registered later is picked up.
 */
export function tracingEnabled(): boolean {
  const provider = trace.getTracerProvider();
  return !(provider instanceof ProxyTracerProvider) || provider.getDelegate() !== NOOP_TRACER_PROVIDER;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The remote span context a W3C `traceparent` names, or undefined when it is absent or invalid. */
export function spanContextFromTraceparent(traceparent: string | undefined): SpanContext | undefined {
  if (!isValidTraceparent(traceparent)) return undefined;
  const [, traceId, spanId, flags] = TRACEPARENT.exec(traceparent)!;
  return { traceId, spanId, traceFlags: parseInt(flags, 16) & TraceFlags.SAMPLED, isRemote: true };
}

/** A context whose parent is the span a `traceparent` names (ROOT_CONTEXT when it names none). */
export function contextFromTraceparent(traceparent: string | undefined, base: Context = ROOT_CONTEXT): Context {
  const spanContext = spanContextFromTraceparent(traceparent);
  return spanContext ? trace.setSpanContext(base, spanContext) : base;
}

/** The W3C `traceparent` of a span context, or undefined when it is not valid (no SDK: all zeros). */
export function traceparentOf(spanContext: SpanContext | undefined): string | undefined {
  if (!spanContext || !trace.isSpanContextValid(spanContext)) return undefined;
  const flags = (spanContext.traceFlags & TraceFlags.SAMPLED).toString(16).padStart(2, '0');
  return `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`;
}

/** The `traceparent` of the span active in `ctx` (the current context by default), if any. */
export function activeTraceparent(ctx: Context = otelContext.active()): string | undefined {
  return traceparentOf(trace.getSpanContext(ctx));
}
