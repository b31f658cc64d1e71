import { Body, Controller, Get, Headers, Param, Post, Put, UseFilters } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { DiscoveryClient } from '@tributary/discovery';
import { KafkaHealthIndicator } from '@tributary/kafka';
import { InjectRpcClient, type RpcClient } from '@tributary/rpc';
import { GetStockLevel, type StockLevel } from '../../shared/inventory.contracts';
import { GetOrderLimits, PlaceOrderRequest, SetOrderLimits, type OrderLimitsView, type OrderView } from '../../shared/orders.contracts';
import { RpcHttpExceptionFilter } from './rpc-http-exception.filter';

/** Per-call deadline of the gateway's RPC calls, ms. */
const DEADLINE_MS = 3000;

/**
 * The HTTP API of the sample system: every route is one typed RPC call to the service that owns
 * the data (validated on both sides; errors mapped by `RpcHttpExceptionFilter`).
 */
@Controller()
@UseFilters(RpcHttpExceptionFilter)
export class GatewayController {
  constructor(
    @InjectRpcClient('inventory') private readonly inventory: RpcClient,
    @InjectRpcClient('orders') private readonly orders: RpcClient,
    private readonly discovery: DiscoveryClient,
    private readonly health: HealthCheckService,
    private readonly kafka: KafkaHealthIndicator,
  ) {}

  /** Place an order: `{ customerId, sku, quantity }` → orders.place. */
  @Post('orders')
  placeOrder(@Body() body: Record<string, unknown>): Promise<OrderView> {
    return this.orders.call(PlaceOrderRequest, body as never, { timeout: DEADLINE_MS });
  }

  @Get('stock/:sku')
  stock(@Param('sku') sku: string): Promise<StockLevel> {
    return this.inventory.call(GetStockLevel, { sku }, { timeout: DEADLINE_MS });
  }

  @Get('config/orders/limits')
  orderLimits(): Promise<OrderLimitsView> {
    return this.orders.call(GetOrderLimits, {}, { timeout: DEADLINE_MS });
  }

  /** Change orders' limits: `{ maxQuantity }`; the `x-actor` header is recorded in the audit. */
  @Put('config/orders/limits')
  setOrderLimits(@Body() body: Record<string, unknown>, @Headers('x-actor') actor?: string): Promise<OrderLimitsView> {
    return this.orders.call(SetOrderLimits, { ...(body as object), actor: actor || 'gateway-http' } as never, { timeout: 15_000 });
  }

  /** Who publishes, consumes and serves what, live from the registry. */
  @Get('catalogue')
  catalogue() {
    return this.discovery.catalogue();
  }

  @Get('health')
  @HealthCheck()
  check() {
    return this.health.check([() => this.kafka.isHealthy('kafka')]);
  }
}
