import { DiscoveryService } from '@nestjs/core';

/** Options of `@TributaryService`. */
export interface TributaryServiceOptions {
  /** Name of the service, e.g. `inventory`. Instances with the same name share RPC load. */
  name: string;
  /** Version of the service, announced in the registry. @default '0.0.0' */
  version?: string;
}

/**
 * Names the service. Put it on the root module:
 *
 * ```ts
 * @TributaryService({ name: 'inventory', version: '1.4.0' })
 * @Module({ imports: [KafkaModule.forRoot(...), DiscoveryModule.forRoot()] })
 * export class AppModule {}
 * ```
 */
export const TributaryService = DiscoveryService.createDecorator<TributaryServiceOptions>();
