import { Registry } from 'prom-client';
import { KafkaConfigurationException } from '../exceptions/kafka-configuration.exception';
import { TributaryMetrics } from './tributary-metrics';

describe('TributaryMetrics', () => {
  it('creates each metric once per registry, so two apps in one process share it', async () => {
    const registry = new Registry();
    const a = new TributaryMetrics({ metrics: { registry, defaultMetrics: false } });
    const b = new TributaryMetrics({ metrics: { registry, defaultMetrics: false } });
    const config = { name: 'test_events_total', help: 'events', labelNames: ['app'] as const };
    a.counter(config).inc({ app: 'a' });
    b.counter(config).inc({ app: 'b' }, 2);
    expect(a.counter(config)).toBe(b.counter(config));
    const text = await registry.metrics();
    expect(text).toContain('test_events_total{app="a"} 1');
    expect(text).toContain('test_events_total{app="b"} 2');
  });

  it('refuses a name already registered as another type', () => {
    const metrics = new TributaryMetrics({ metrics: { registry: new Registry(), defaultMetrics: false } });
    metrics.counter({ name: 'test_thing', help: 'x' });
    expect(() => metrics.gauge({ name: 'test_thing', help: 'x' })).toThrow(KafkaConfigurationException);
  });

  it('runs every app\'s gauge collector on scrape and stops after the collector is removed', async () => {
    const registry = new Registry();
    const a = new TributaryMetrics({ metrics: { registry, defaultMetrics: false } });
    const b = new TributaryMetrics({ metrics: { registry, defaultMetrics: false } });
    const config = { name: 'test_pending_rows', help: 'pending', labelNames: ['table'] as const };
    const removeA = a.collect(a.gauge(config), (g) => g.set({ table: 'a' }, 3));
    b.collect(b.gauge(config), async (g) => g.set({ table: 'b' }, 5));
    expect(await registry.metrics()).toMatch(/test_pending_rows\{table="a"\} 3[\s\S]*test_pending_rows\{table="b"\} 5/);
    removeA();
    a.gauge(config).reset();
    const text = await registry.metrics();
    expect(text).not.toContain('table="a"');
    expect(text).toContain('test_pending_rows{table="b"} 5');
  });

  it('adds the default process metrics once, unless turned off, and keeps a disabled app off the registry', async () => {
    const registry = new Registry();
    new TributaryMetrics({ metrics: { registry } });
    new TributaryMetrics({ metrics: { registry } });
    expect(registry.getSingleMetric('process_cpu_user_seconds_total')).toBeDefined();
    const quiet = new Registry();
    new TributaryMetrics({ metrics: { registry: quiet, defaultMetrics: false } });
    expect(quiet.getMetricsAsArray()).toHaveLength(0);
    const disabled = new TributaryMetrics({ metrics: { registry: quiet, enabled: false } });
    disabled.counter({ name: 'test_hidden_total', help: 'x' }).inc();
    expect(await quiet.metrics()).not.toContain('test_hidden_total');
  });

  it('rejects a registry that is not a prom-client Registry', () => {
    expect(() => new TributaryMetrics({ metrics: { registry: {} as Registry } })).toThrow(/prom-client Registry/);
  });
});
