import { IntegrationEvent } from '@tributary/outbox';
import { IsInt, IsISO8601, IsString, IsUUID, Max, Min } from 'class-validator';

/** Published by orders when an order is placed. Keyed by order id: one order's events stay in order. */
@IntegrationEvent({ type: 'orders.order-placed', topic: 'orders.events', version: 1, key: 'orderId' })
export class OrderPlaced {
  @IsUUID() orderId!: string;
  @IsString() customerId!: string;
  @IsString() sku!: string;
  @IsInt() @Min(1) @Max(1000) quantity!: number;
  @IsISO8601() placedAt!: string;

  constructor(init?: Partial<OrderPlaced>) {
    Object.assign(this, init);
  }
}
