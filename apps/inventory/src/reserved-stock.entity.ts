import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Inventory's replicated read model: how much of each SKU placed orders reserve. */
@Entity({ name: 'inventory_reserved_stock' })
export class ReservedStock {
  @PrimaryColumn({ type: 'varchar', length: 100 }) sku!: string;
  @Column({ type: 'int' }) reserved!: number;
  @Column({ type: 'int' }) orders!: number;
}
