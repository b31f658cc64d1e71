// Inventory's published RPC contracts, shared by the server (inventory) and its callers (gateway).
import { RpcContract, RpcRequest } from '@tributary/rpc';
import { IsInt, IsString, Min } from 'class-validator';

export class StockLevel {
  @IsString() sku!: string;
  @IsInt() @Min(0) reserved!: number;
  @IsInt() @Min(0) orders!: number;
}

/** Ask inventory how much of a SKU is reserved. */
@RpcContract({ method: 'inventory.stock-level', service: 'inventory', response: StockLevel, idempotent: true })
export class GetStockLevel extends RpcRequest<StockLevel> {
  @IsString() sku!: string;
}
