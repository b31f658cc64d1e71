import { Injectable } from '@nestjs/common';
import { DynamicConfigService } from '@tributary/config';
import { RpcHandler } from '@tributary/rpc';
import { GetOrderLimits, PlaceOrderRequest, SetOrderLimits, type OrderLimitsView, type OrderView } from '../../shared/orders.contracts';
import { OrderLimits } from './config/order-limits.config';
import { OrdersService } from './orders.service';

/** Orders' RPC face, used by the gateway: the same operations as its own HTTP endpoints. */
@Injectable()
export class OrdersRpcHandler {
  constructor(
    private readonly orders: OrdersService,
    private readonly config: DynamicConfigService,
  ) {}

  @RpcHandler(PlaceOrderRequest)
  async place(request: PlaceOrderRequest): Promise<OrderView> {
    const order = await this.orders.placeOrder({ customerId: request.customerId, sku: request.sku, quantity: request.quantity });
    return { id: order.id, customerId: order.customerId, sku: order.sku, quantity: order.quantity };
  }

  @RpcHandler(GetOrderLimits)
  limits(): OrderLimitsView {
    return { maxQuantity: this.config.get(OrderLimits).maxQuantity };
  }

  @RpcHandler(SetOrderLimits)
  async setLimits(request: SetOrderLimits): Promise<OrderLimitsView> {
    const value = await this.config.set(OrderLimits, { maxQuantity: request.maxQuantity }, { actor: request.actor ?? 'gateway' });
    return { maxQuantity: value.maxQuantity };
  }
}
