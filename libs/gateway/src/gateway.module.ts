import { Module } from '@nestjs/common';
import { GatewayDispatcher } from './gateway.dispatcher';
import { GatewayConfigurableModuleClass } from './gateway-module-definition';

/**
 * HTTP routes onto RPC contracts, mounted as real Nest routes (the global prefix applies). Needs
 * `KafkaModule` and `RpcModule` (and `DiscoveryModule` for the tcp transport).
 *
 * ```ts
 * GatewayModule.forRoot({
 *   routes: [{ method: 'GET', path: '/stock/:sku', contract: GetStockLevel, timeoutMs: 2000 }],
 *   routeClasses: [OrderRoutes],            // classes with @GatewayRoute(...)
 *   defaultTimeoutMs: 5000,
 * })
 * ```
 */
@Module({
  providers: [GatewayDispatcher],
  exports: [GatewayDispatcher],
})
export class GatewayModule extends GatewayConfigurableModuleClass {}
