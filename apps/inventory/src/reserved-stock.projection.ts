import { Injectable } from '@nestjs/common';
import { On, Projection, type ProjectionContext } from '@tributary/projections';
import { OrderPlaced } from './order-placed.event';
import { ReservedStock } from './reserved-stock.entity';

/**
 * Keeps inventory's copy of what orders reserve. Runs inside the batch transaction that also
 * records the inbox and checkpoint, so each event counts exactly once even across crashes.
 */
@Injectable()
@Projection({ name: 'inventory.reserved-stock', tables: [ReservedStock] })
export class ReservedStockProjection {
  @On(OrderPlaced)
  async onOrderPlaced(event: OrderPlaced, { manager }: ProjectionContext): Promise<void> {
    const current = await manager.findOneBy(ReservedStock, { sku: event.sku });
    await manager.save(ReservedStock, {
      sku: event.sku,
      reserved: (current?.reserved ?? 0) + event.quantity,
      orders: (current?.orders ?? 0) + 1,
    });
  }
}
