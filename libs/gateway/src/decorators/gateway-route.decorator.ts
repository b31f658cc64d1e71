import type { Type } from '@nestjs/common';
import type { RpcRequest } from '@tributary/rpc';
import { GATEWAY_ROUTES_METADATA } from '../gateway.constants';
import type { GatewayHttpMethod, GatewayRouteDefinition, GatewayRouteOptions } from '../interfaces/gateway-route.interface';

/**
 * Declares an HTTP route onto an RPC contract on a class given to
 * `GatewayModule.forRoot({ routeClasses: [StockRoutes] })`. Stack several on one class; they keep
 * their written order.
 *
 * ```ts
 * @GatewayRoute('GET', '/stock/:sku', GetStockLevel, { timeoutMs: 2000 })
 * @GatewayRoute('POST', '/reservations', ReserveStock)
 * export class StockRoutes {}
 * ```
 */
export function GatewayRoute(
  method: GatewayHttpMethod,
  path: string,
  contract: Type<RpcRequest<unknown>>,
  options: GatewayRouteOptions = {},
): ClassDecorator {
  return (target) => {
    const existing = (Reflect.getOwnMetadata(GATEWAY_ROUTES_METADATA, target) as GatewayRouteDefinition[] | undefined) ?? [];
    // Class decorators run bottom-up: prepend so the list reads top to bottom.
    Reflect.defineMetadata(GATEWAY_ROUTES_METADATA, [{ ...options, method, path, contract }, ...existing], target);
  };
}

/** The routes declared with `@GatewayRoute` on `target` (empty when none). */
export function getGatewayRoutes(target: Type<unknown>): GatewayRouteDefinition[] {
  return [...((Reflect.getOwnMetadata(GATEWAY_ROUTES_METADATA, target) as GatewayRouteDefinition[] | undefined) ?? [])];
}
