import { Controller, Get, Header, Inject, Module, type DynamicModule } from '@nestjs/common';
import { Registry } from 'prom-client';
import { TributaryMetrics } from './tributary-metrics';

/** Options of `TributaryMetricsModule.register`. */
export interface TributaryMetricsEndpointOptions {
  /** Route that serves the registry in Prometheus' text format (after the app's global prefix). @default 'metrics' */
  path?: string;
}

/**
 * A `/metrics` endpoint for apps that do not serve one already (with `@willsoto/nestjs-prometheus`
 * the metrics appear on its endpoint without this). Needs `KafkaModule` (global) for the registry:
 *
 * ```ts
 * imports: [KafkaModule.forRoot({ ... }), TributaryMetricsModule.register()]
 * ```
 */
@Module({})
export class TributaryMetricsModule {
  static register(options: TributaryMetricsEndpointOptions = {}): DynamicModule {
    const path = options.path ?? 'metrics';

    @Controller()
    class TributaryMetricsController {
      constructor(@Inject(TributaryMetrics) private readonly metrics: TributaryMetrics) {}

      @Get(path)
      @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
      scrape(): Promise<string> {
        return this.metrics.scrape();
      }
    }

    return { module: TributaryMetricsModule, controllers: [TributaryMetricsController] };
  }
}
