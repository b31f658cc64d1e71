/*
 * Metrics and tracing ON / OFF for the benchmarks' cost figure (`observability` in their JSON).
 *
 * OFF: `KafkaModule.forRoot({ metrics: { enabled: false, defaultMetrics: false } })` and no
 *      OpenTelemetry SDK registered (the libs see the API's no-op tracer).
 * ON:  the libs' prom-client metrics (and the default process metrics) on a fresh Registry, and an
 *      SDK registered: BasicTracerProvider + SimpleSpanProcessor over an exporter that drops the
 *      spans, AsyncLocalStorageContextManager. Every span is created, ended and handed to the
 *      exporter; only the export itself costs nothing.
 */
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, SimpleSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { TributaryMetricsOptions } from '@tributary/kafka';
import { loadavg } from 'node:os';
import { Registry } from 'prom-client';

export type ObservabilityMode = 'off' | 'on';

/** Interleaved so that load changes on a shared machine hit both modes alike. */
export const OBSERVABILITY_ROUNDS: readonly ObservabilityMode[] = ['off', 'on', 'off', 'on'];

/** An exporter that accepts every span and only counts it (so the JSON shows ON really traced). */
class DiscardingSpanExporter implements SpanExporter {
  spans = 0;
  export(spans: ReadableSpan[], done: (result: { code: 0 }) => void): void {
    this.spans += spans.length;
    done({ code: 0 }); // ExportResultCode.SUCCESS
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** The `metrics` option of `KafkaModule.forRoot` for a mode. */
export function metricsOptions(mode: ObservabilityMode): TributaryMetricsOptions {
  return mode === 'on' ? { registry: new Registry(), enabled: true, defaultMetrics: true } : { enabled: false, defaultMetrics: false };
}

/**
 * Register the tracing SDK (ON) or leave none registered (OFF). Returns the function that
 * unregisters it and resolves with the number of spans ended meanwhile.
 */
export function useTracing(mode: ObservabilityMode): () => Promise<number> {
  trace.disable();
  context.disable();
  if (mode === 'off') return () => Promise.resolve(0);
  const exporter = new DiscardingSpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  return async () => {
    trace.disable();
    context.disable();
    await provider.shutdown();
    return exporter.spans;
  };
}

const loadAverage = () => loadavg().map((l) => Math.round(l * 100) / 100);
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : Math.round((sorted[mid - 1] + sorted[mid]) / 2);
};

/**
 * Run `round` once per mode in OBSERVABILITY_ROUNDS, with tracing set for that mode around it
 * (`round` builds its app with `metricsOptions(mode)`), and summarise its events/s.
 */
export async function compareObservability(round: (mode: ObservabilityMode, index: number) => Promise<number>) {
  const loadAverageStart = loadAverage();
  const rounds: Array<{ mode: ObservabilityMode; eventsPerSecond: number; spans: number }> = [];
  for (const [index, mode] of OBSERVABILITY_ROUNDS.entries()) {
    const untrace = useTracing(mode);
    const eventsPerSecond = await round(mode, index).catch(async (e: unknown) => {
      await untrace();
      throw e;
    });
    rounds.push({ mode, eventsPerSecond, spans: await untrace() });
  }
  const offEventsPerSecond = median(rounds.filter((r) => r.mode === 'off').map((r) => r.eventsPerSecond));
  const onEventsPerSecond = median(rounds.filter((r) => r.mode === 'on').map((r) => r.eventsPerSecond));
  return {
    offEventsPerSecond,
    onEventsPerSecond,
    /** Share of the OFF throughput lost with metrics and tracing ON (negative: ON was faster, i.e. noise). */
    overheadRatio: Math.round((1 - onEventsPerSecond / offEventsPerSecond) * 1000) / 1000,
    rounds,
    loadAverageStart,
    loadAverageEnd: loadAverage(),
  };
}
