// Orders' published RPC contracts, shared by the server (orders) and its callers (gateway).
import { RpcContract, RpcRequest } from '@tributary/rpc';
import { IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';

export class OrderView {
  @IsString() id!: string;
  @IsString() customerId!: string;
  @IsString() sku!: string;
  @IsInt() @Min(1) quantity!: number;
}

/** Place an order (not idempotent: a retry would place a second order). */
@RpcContract({ method: 'orders.place', service: 'orders', response: OrderView })
export class PlaceOrderRequest extends RpcRequest<OrderView> {
  @IsString() @Length(1, 100) customerId!: string;
  @IsString() @Length(1, 100) sku!: string;
  @IsInt() @Min(1) quantity!: number;
}

export class OrderLimitsView {
  @IsInt() @Min(1) maxQuantity!: number;
}

/** Orders' current limits (its dynamic configuration entry `orders/limits`). */
@RpcContract({ method: 'orders.get-limits', service: 'orders', response: OrderLimitsView, idempotent: true })
export class GetOrderLimits extends RpcRequest<OrderLimitsView> {}

/** Change orders' limits; every orders instance applies the change within seconds. */
@RpcContract({ method: 'orders.set-limits', service: 'orders', response: OrderLimitsView, idempotent: true })
export class SetOrderLimits extends RpcRequest<OrderLimitsView> {
  @IsInt() @Min(1) @Max(1000) maxQuantity!: number;
  /** Who changes it, written in the audit headers. */
  @IsOptional() @IsString() @Length(1, 200) actor?: string;
}
