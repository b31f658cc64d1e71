import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { OutboxPublisher } from '@tributary/outbox';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { OrderPlaced } from './order-placed.event';
import { Order } from './order.entity';

export interface PlaceOrder {
  customerId: string;
  sku: string;
  quantity: number;
}

@Injectable()
export class OrdersService {
  constructor(
    @InjectDataSource('orders') private readonly dataSource: DataSource,
    private readonly outbox: OutboxPublisher,
  ) {}

  /**
   * The order row and its OrderPlaced event commit together or not at all: an invalid event
   * throws inside the transaction, which rolls the order back too.
   */
  placeOrder(command: PlaceOrder): Promise<Order> {
    return this.dataSource.transaction(async (manager) => {
      const order = manager.create(Order, { id: randomUUID(), ...command });
      await manager.save(order);
      await this.outbox.publish(
        manager,
        new OrderPlaced({ orderId: order.id, ...command, placedAt: new Date().toISOString() }),
      );
      return order;
    });
  }
}
