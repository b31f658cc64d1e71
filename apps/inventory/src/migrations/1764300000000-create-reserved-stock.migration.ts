import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

/** Inventory's read model, for whichever database the service runs on. */
export class CreateReservedStock1764300000000 implements MigrationInterface {
  name = 'CreateReservedStock1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'inventory_reserved_stock',
        columns: [
          { name: 'sku', type: 'varchar', length: '100', isPrimary: true },
          { name: 'reserved', type: 'int' },
          { name: 'orders', type: 'int' },
        ],
      }),
      true,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('inventory_reserved_stock', true);
  }
}
