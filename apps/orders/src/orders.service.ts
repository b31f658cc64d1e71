import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { InjectConfig, type ConfigHandle } from '@tributary/config';
import { OutboxPublisher } from '@tributary/outbox';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { OrderLimits } from './config/order-limits.config';
import { OrderOverLimitException } from './exceptions/order-over-limit.exception';
import { OrderPlaced } from './order-placed.event';
import { Order } from './order.entity';
import type { PlaceOrder } from './place-order.dto';

export type { PlaceOrder } from './place-order.dto';

@Injectable()
export class OrdersService {
  constructor(
    @InjectDataSource('orders') private readonly dataSource: DataSource,
    private readonly outbox: OutboxPublisher,
    @InjectConfig(OrderLimits) private readonly limits: ConfigHandle<OrderLimits>,
  ) {}

  /**
   * The order row and its OrderPlaced event commit together or not at all: an invalid event
   * throws inside the transaction, which rolls the order back too. The size limit is read live
   * from the dynamic configuration, so a change applies to the next order without a restart.
   */
  placeOrder(command: PlaceOrder): Promise<Order> {
    const { maxQuantity } = this.limits.get();
    if (command.quantity > maxQuantity) throw new OrderOverLimitException(command.quantity, maxQuantity);
    return this.dataSource.transaction(async (manager) => {
      const order = manager.create(Order, { id: randomUUID(), customerId: command.customerId, sku: command.sku, quantity: command.quantity });
      await manager.save(order);
      await this.outbox.publish(
        manager,
        new OrderPlaced({ orderId: order.id, customerId: order.customerId, sku: order.sku, quantity: order.quantity, placedAt: new Date().toISOString() }),
      );
      return order;
    });
  }
}
