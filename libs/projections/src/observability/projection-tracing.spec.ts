import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startBatchProcessSpan } from './projection-tracing';

describe('projection tracing', () => {
  afterEach(() => trace.disable());

  it('links a batch span to every message that carries a valid traceparent', () => {
    const exporter = new InMemorySpanExporter();
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
    const a = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const { span } = startBatchProcessSpan('orders', 3, 'group', [a, undefined, 'garbage']);
    span.end();
    const [finished] = exporter.getFinishedSpans();
    expect(finished.name).toBe('process orders');
    expect(finished.links.map((l) => l.context.spanId)).toEqual(['b7ad6b7169203331']);
    expect(finished.attributes).toMatchObject({ 'messaging.batch.message_count': 3, 'messaging.destination.partition.id': '3' });
  });
});
