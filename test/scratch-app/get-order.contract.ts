import { RpcContract, RpcRequest } from '@tributary/rpc';
import { IsInt, IsString, IsUUID } from 'class-validator';
import { names } from './scratch-names';

/** An order as the read model has it. */
export class OrderView {
  @IsUUID() orderId!: string;
  @IsString() customer!: string;
  @IsInt() amount!: number;
  /** Id of the event the projection applied. */
  @IsUUID() eventId!: string;
  /** Topic the projection read it from. */
  @IsString() topic!: string;
}

@RpcContract({ method: `${names.service}.get-order`, service: names.service, response: OrderView })
export class GetOrder extends RpcRequest<OrderView> {
  @IsUUID() orderId!: string;
}
