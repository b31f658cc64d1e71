import { Inject, Injectable } from '@nestjs/common';
import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  register as globalRegistry,
  Registry,
  type CounterConfiguration,
  type GaugeConfiguration,
  type HistogramConfiguration,
  type Metric,
} from 'prom-client';
import { KAFKA_MODULE_OPTIONS } from '../kafka-module-definition';
import type { KafkaModuleOptions } from '../interfaces/kafka-module-options.interface';
import { KafkaConfigurationException } from '../exceptions/kafka-configuration.exception';

/** A function that sets a gauge's values when it is scraped. */
export type GaugeCollector<T extends string> = (gauge: Gauge<T>) => void | Promise<void>;

const collectorsOf = new WeakMap<Gauge<string>, Set<GaugeCollector<string>>>();
const withDefaultMetrics = new WeakSet<Registry>();

/**
 * Where Tributary's libs register their Prometheus metrics: prom-client's global registry unless
 * the app passes its own (`KafkaModule.forRoot({ metrics: { registry } })`). Every metric is
 * created once per registry, so two apps (or two modules) in one process share it instead of
 * failing on a duplicate name; each app adds its own label values or gauge collectors.
 */
@Injectable()
export class TributaryMetrics {
  /** The registry the metrics live on (serve it on `/metrics`). */
  readonly registry: Registry;

  constructor(@Inject(KAFKA_MODULE_OPTIONS) options: Pick<KafkaModuleOptions, 'metrics'>) {
    const { registry, enabled = true, defaultMetrics = true } = options.metrics ?? {};
    if (registry !== undefined && !(registry instanceof Registry)) {
      throw new KafkaConfigurationException('`metrics.registry` must be a prom-client Registry (new Registry() or prom-client\'s `register`).');
    }
    // Disabled: the metrics still count (status APIs may read them) but on a registry nobody serves.
    this.registry = enabled ? (registry ?? globalRegistry) : new Registry();
    if (enabled && defaultMetrics && !withDefaultMetrics.has(this.registry)) {
      withDefaultMetrics.add(this.registry);
      if (!this.registry.getSingleMetric('process_cpu_user_seconds_total')) collectDefaultMetrics({ register: this.registry });
    }
  }

  /** The counter named `config.name` on this registry, created on first use. */
  counter<T extends string>(config: Omit<CounterConfiguration<T>, 'registers'>): Counter<T> {
    return this.getOrCreate(config.name, Counter, () => new Counter<T>({ ...config, registers: [this.registry] }));
  }

  /** The histogram named `config.name` on this registry, created on first use. */
  histogram<T extends string>(config: Omit<HistogramConfiguration<T>, 'registers'>): Histogram<T> {
    return this.getOrCreate(config.name, Histogram, () => new Histogram<T>({ ...config, registers: [this.registry] }));
  }

  /** The gauge named `config.name` on this registry, created on first use (set its values directly). */
  gauge<T extends string>(config: Omit<GaugeConfiguration<T>, 'registers' | 'collect'>): Gauge<T> {
    return this.getOrCreate(config.name, Gauge, () => {
      const collectors = new Set<GaugeCollector<string>>();
      const gauge = new Gauge<T>({
        ...config,
        registers: [this.registry],
        async collect() {
          await Promise.all([...collectors].map((collect) => collect(this as unknown as Gauge<string>)));
        },
      });
      collectorsOf.set(gauge as unknown as Gauge<string>, collectors);
      return gauge;
    });
  }

  /**
   * Set a gauge's values on every scrape with `collect` (e.g. a count read from the database).
   * Several apps may add collectors to one gauge; each sets only its own label values. Returns
   * the function that removes the collector (call it on shutdown).
   */
  collect<T extends string>(gauge: Gauge<T>, collect: GaugeCollector<T>): () => void {
    const collectors = collectorsOf.get(gauge as unknown as Gauge<string>);
    if (!collectors) throw new Error(`gauge ${String((gauge as unknown as { name: string }).name)} was not created by TributaryMetrics.gauge`);
    const fn = collect as GaugeCollector<string>;
    collectors.add(fn);
    return () => collectors.delete(fn);
  }

  /** The registry's exposition text (what a `/metrics` endpoint serves). */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }

  private getOrCreate<M extends Metric<string>>(name: string, type: abstract new (...args: never[]) => M, create: () => M): M {
    const existing = this.registry.getSingleMetric(name);
    if (existing) {
      if (!(existing instanceof type)) {
        throw new KafkaConfigurationException(`metric ${name} is already registered on this registry as another type; remove the other metric of that name`);
      }
      return existing;
    }
    return create();
  }
}
