import { Injectable } from '@nestjs/common';
import { On, Projection, type ProjectionContext } from '@tributary/projections';
import type { EntityManager } from 'typeorm';
import { OrderPlaced } from './order-placed.event';
import { ReservedStock } from './reserved-stock.entity';

/**
 * Keeps inventory's copy of what orders reserve. Runs inside the batch transaction that also
 * records the inbox and checkpoint, so each event counts exactly once even across crashes.
 *
 * Events are keyed by order, so one sku's events land on several partitions and two instances (or
 * two partitions) may apply them at the same time. Reading the row, adding in code and saving it
 * back would then lose one of the two updates; a single atomic upsert that increments in SQL
 * cannot: the database serialises the two statements on the row lock and each adds to the
 * committed value.
 */
@Injectable()
@Projection({ name: 'inventory.reserved-stock', tables: [ReservedStock] })
export class ReservedStockProjection {
  @On(OrderPlaced)
  async onOrderPlaced(event: OrderPlaced, { manager }: ProjectionContext): Promise<void> {
    await reserve(manager, event.sku, event.quantity);
  }
}

/** `reserved += quantity, orders += 1` for `sku`, creating the row if needed, in one statement. */
async function reserve(manager: EntityManager, sku: string, quantity: number): Promise<void> {
  const table = manager.connection.getMetadata(ReservedStock).tableName;
  switch (manager.connection.options.type) {
    case 'postgres':
      await manager.query(
        `INSERT INTO ${table} AS t (sku, reserved, orders) VALUES ($1, $2, 1)
         ON CONFLICT (sku) DO UPDATE SET reserved = t.reserved + EXCLUDED.reserved, orders = t.orders + 1`,
        [sku, quantity],
      );
      return;
    case 'mysql':
    case 'mariadb':
      await manager.query(
        `INSERT INTO ${table} (sku, reserved, orders) VALUES (?, ?, 1)
         ON DUPLICATE KEY UPDATE reserved = reserved + VALUES(reserved), orders = orders + 1`,
        [sku, quantity],
      );
      return;
    default: // SQLite 3.24+
      await manager.query(
        `INSERT INTO ${table} (sku, reserved, orders) VALUES (?, ?, 1)
         ON CONFLICT (sku) DO UPDATE SET reserved = reserved + excluded.reserved, orders = orders + 1`,
        [sku, quantity],
      );
  }
}
