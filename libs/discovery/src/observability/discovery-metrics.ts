import { MetricLabels, type TributaryMetrics } from '@tributary/kafka';
import type { Gauge } from 'prom-client';
import type { ServiceInstance } from '../interfaces/service-instance.interface';

type ServiceLabel = typeof MetricLabels.SERVICE;

/**
 * `tributary_discovery_live_instances{service}`, set at scrape time from a DiscoveryClient's live
 * view. A service once seen keeps its series at 0 when its last instance goes (an alert on
 * `== 0` needs the series to exist), until this client stops.
 */
export class DiscoveryMetrics {
  private readonly gauge: Gauge<ServiceLabel>;
  private readonly seen = new Set<string>();
  private readonly removeCollector: () => void;

  constructor(metrics: TributaryMetrics, live: () => ServiceInstance[]) {
    this.gauge = metrics.gauge({
      name: 'tributary_discovery_live_instances',
      help: 'Live instances of each service in this process\'s view of the registry (0 once the last one is gone).',
      labelNames: [MetricLabels.SERVICE],
    });
    this.removeCollector = metrics.collect(this.gauge, (gauge) => {
      const counts = new Map<string, number>();
      for (const instance of live()) counts.set(instance.service, (counts.get(instance.service) ?? 0) + 1);
      for (const service of counts.keys()) this.seen.add(service);
      for (const service of this.seen) gauge.set({ service }, counts.get(service) ?? 0);
    });
  }

  /** Stop setting the gauge and remove this client's series. */
  close(): void {
    this.removeCollector();
    for (const service of this.seen) this.gauge.remove({ service });
    this.seen.clear();
  }
}
