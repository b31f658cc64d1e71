import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { RpcHandler } from '@tributary/rpc';
import { DataSource } from 'typeorm';
import { ReservedStock } from './reserved-stock.entity';
import { GetStockLevel, type StockLevel } from '../../shared/inventory.contracts';

@Injectable()
export class StockRpcHandler {
  constructor(@InjectDataSource('inventory') private readonly dataSource: DataSource) {}

  /** Answers from the local replica: no call back to orders needed. */
  @RpcHandler(GetStockLevel)
  async stockLevel(request: GetStockLevel): Promise<StockLevel> {
    const row = await this.dataSource.getRepository(ReservedStock).findOneBy({ sku: request.sku });
    return { sku: request.sku, reserved: row?.reserved ?? 0, orders: row?.orders ?? 0 };
  }
}
