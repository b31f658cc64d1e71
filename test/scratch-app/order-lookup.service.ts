import { Injectable } from '@nestjs/common';
import { InjectRpcClient, type RpcClient } from '@tributary/rpc';
import { GetOrder, type OrderView } from './get-order.contract';
import { names } from './scratch-names';

/** The caller's side: an injected typed RPC client. */
@Injectable()
export class OrderLookup {
  constructor(@InjectRpcClient(names.service) private readonly orders: RpcClient) {}

  find(orderId: string): Promise<OrderView> {
    return this.orders.call(GetOrder, { orderId }, { timeout: 5000 });
  }
}
