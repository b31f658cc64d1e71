import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { DiscoveryClient } from '@tributary/discovery';
import { KafkaHealthIndicator } from '@tributary/kafka';
import { InjectRpcClient, type RpcClient } from '@tributary/rpc';
import { GetStockLevel, type StockLevel } from '../../shared/inventory.contracts';

/**
 * What the declared routes (`GatewayRoutes`) do not cover: the live catalogue and health. `stock()`
 * is the same call as `GET /stock/:sku`, for code in the gateway's process (the demo, tests).
 */
@Controller()
export class GatewayController {
  constructor(
    @InjectRpcClient('inventory') private readonly inventory: RpcClient,
    private readonly discovery: DiscoveryClient,
    private readonly health: HealthCheckService,
    private readonly kafka: KafkaHealthIndicator,
  ) {}

  stock(sku: string): Promise<StockLevel> {
    return this.inventory.call(GetStockLevel, { sku }, { timeout: 3000 });
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
