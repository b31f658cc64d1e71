import { GatewayRoute } from '@tributary/gateway';
import { GetStockLevel } from '../../shared/inventory.contracts';
import { GetOrderLimits, PlaceOrderRequest, SetOrderLimits } from '../../shared/orders.contracts';

/**
 * The gateway's HTTP API, declared: each route is one typed RPC call to the service that owns the
 * data. Path params, query and body fill the contract (validated: 400 naming the field); calls go
 * through the registry's live instances with a deadline; idempotent contracts are retried on
 * another instance; RPC errors become HTTP statuses (400, 501, 502, 503, 504).
 */
@GatewayRoute('POST', '/orders', PlaceOrderRequest, { successStatus: 201, timeoutMs: 5000 })
@GatewayRoute('GET', '/stock/:sku', GetStockLevel, { timeoutMs: 3000 })
@GatewayRoute('GET', '/config/orders/limits', GetOrderLimits, { timeoutMs: 3000 })
// Resolves once orders has read its own change back; other orders instances follow within seconds.
@GatewayRoute('PUT', '/config/orders/limits', SetOrderLimits, { timeoutMs: 15_000 })
export class GatewayRoutes {}
