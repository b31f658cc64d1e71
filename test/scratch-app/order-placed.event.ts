import { IntegrationEvent } from '@tributary/outbox';
import { IsInt, IsString, IsUUID, Min } from 'class-validator';
import { names } from './scratch-names';

/** Published by the orders side through the outbox, in the transaction that writes the order. */
@IntegrationEvent({ type: 'scratch.order-placed', topic: names.topic, version: 1, key: 'orderId' })
export class OrderPlaced {
  @IsUUID() orderId!: string;
  @IsString() customer!: string;
  @IsInt() @Min(1) amount!: number;
}
