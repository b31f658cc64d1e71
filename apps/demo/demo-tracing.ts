/*
 * The demo's OpenTelemetry SDK: spans go to memory and are printed as a tree at the end. A real
 * service registers its own SDK and exporter (OTLP, Jaeger, …); the libs only use the api.
 */
import { context, SpanKind, trace, type Attributes, type Span } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';

/** Span attribute the demo sets on the spans it starts itself, naming the service they stand for. */
const DEMO_SERVICE = 'demo.service';

export class DemoTracing {
  private readonly exporter = new InMemorySpanExporter();

  constructor() {
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(this.exporter)] }));
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  }

  /**
   * Runs `work` inside a SERVER span of `service`, as an HTTP instrumentation would around a
   * request; returns its result and the trace id.
   */
  async inRequestSpan<T>(service: string, name: string, work: () => Promise<T>): Promise<{ result: T; traceId: string }> {
    return trace.getTracer('tributary-demo').startActiveSpan(name, { kind: SpanKind.SERVER, attributes: { [DEMO_SERVICE]: service } }, async (span: Span) => {
      try {
        return { result: await work(), traceId: span.spanContext().traceId };
      } finally {
        span.end();
      }
    });
  }

  spans(traceId?: string): ReadableSpan[] {
    const all = this.exporter.getFinishedSpans();
    return traceId === undefined ? all : all.filter((s) => s.spanContext().traceId === traceId);
  }

  /**
   * The spans of one trace as an indented tree, `service  span-name (KIND)`, with the spans of
   * other traces that link into it (the relay's batch `send`) under the span they link to.
   */
  tree(traceId: string): string[] {
    const own = this.spans(traceId).sort((a, b) => hrtimeMs(a.startTime) - hrtimeMs(b.startTime));
    const ids = new Set(own.map((s) => s.spanContext().spanId));
    const children = (parentId: string | undefined) => own.filter((s) => (ids.has(s.parentSpanContext?.spanId ?? '') ? s.parentSpanContext?.spanId : undefined) === parentId);
    const linkedTo = (spanId: string) => this.spans().filter((s) => s.spanContext().traceId !== traceId && s.links.some((l) => l.context.spanId === spanId));
    const lines: string[] = [];
    const walk = (span: ReadableSpan, depth: number, parentService: string) => {
      const service = serviceOf(span.attributes, span.kind, parentService);
      lines.push(`${'  '.repeat(depth)}${service.padEnd(14)}${span.name} (${SpanKind[span.kind]})`);
      for (const linked of linkedTo(span.spanContext().spanId)) {
        const count = linked.attributes['messaging.batch.message_count'];
        lines.push(`${'  '.repeat(depth + 1)}${service.padEnd(14)}${linked.name} (${SpanKind[linked.kind]}, relay batch of ${count}, its own trace, linked)`);
      }
      for (const child of children(span.spanContext().spanId)) walk(child, depth + 1, service);
    };
    for (const root of children(undefined)) walk(root, 0, '?');
    return lines;
  }

  shutdown(): void {
    trace.disable();
    context.disable();
  }
}

/** Which service a span belongs to, from what it carries (all apps share one SDK in the demo). */
function serviceOf(attributes: Attributes, kind: SpanKind, parentService: string): string {
  const demo = attributes[DEMO_SERVICE];
  if (typeof demo === 'string') return demo;
  const rpcService = attributes['rpc.service'];
  if (kind === SpanKind.SERVER && typeof rpcService === 'string') return rpcService;
  const group = attributes['messaging.consumer.group.name'];
  if (kind === SpanKind.CONSUMER && typeof group === 'string') return group.split('.projection.')[0];
  return parentService;
}

function hrtimeMs([seconds, nanos]: [number, number]): number {
  return seconds * 1000 + nanos / 1e6;
}
