import { IntegrationEvent } from '@tributary/kafka';
import { IsInt, IsString, IsUUID, Min } from 'class-validator';

/**
 * Inventory's own view of the orders service's event: same stable type and topic, only the fields
 * inventory reads. Routing is by type, so the two services share no code.
 */
@IntegrationEvent({ type: 'orders.order-placed', topic: 'orders.events', version: 1, key: 'orderId' })
export class OrderPlaced {
  @IsUUID() orderId!: string;
  @IsString() sku!: string;
  @IsInt() @Min(1) quantity!: number;
}
