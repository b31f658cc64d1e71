import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'orders' })
export class Order {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ type: 'varchar', length: 100 }) customerId!: string;
  @Column({ type: 'varchar', length: 100 }) sku!: string;
  @Column({ type: 'int' }) quantity!: number;
  @CreateDateColumn() createdAt!: Date;
}
