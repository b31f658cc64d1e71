import { Controller, Get, Param } from '@nestjs/common';
import { DiscoveryClient } from '@tributary/discovery';
import { InjectRpcClient, type RpcClient } from '@tributary/rpc';
import { GetStockLevel, type StockLevel } from '../../shared/inventory.contracts';

@Controller()
export class GatewayController {
  constructor(
    @InjectRpcClient('inventory') private readonly inventory: RpcClient,
    private readonly discovery: DiscoveryClient,
  ) {}

  @Get('stock/:sku')
  stock(@Param('sku') sku: string): Promise<StockLevel> {
    return this.inventory.call(GetStockLevel, { sku }, { timeout: 3000 });
  }

  /** Who publishes, consumes and serves what, live from the registry. */
  @Get('catalogue')
  catalogue() {
    return this.discovery.catalogue();
  }
}
