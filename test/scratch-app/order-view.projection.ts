import { On, Projection, type ProjectionContext } from '@tributary/projections';
import { OrderPlaced } from './order-placed.event';
import { names } from './scratch-names';

/** The read model: one row per order, with the event and topic it was applied from. */
@Projection({ name: names.service, tables: [names.orderView] })
export class OrderViewProjection {
  @On(OrderPlaced)
  async placed(event: OrderPlaced, { manager, eventId, topic }: ProjectionContext): Promise<void> {
    await manager.query(`INSERT INTO ${names.orderView} (order_id, customer, amount, event_id, topic) VALUES ($1, $2, $3, $4, $5)`, [
      event.orderId,
      event.customer,
      event.amount,
      eventId,
      topic,
    ]);
  }
}
