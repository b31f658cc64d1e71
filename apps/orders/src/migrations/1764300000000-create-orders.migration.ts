import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

/** The orders table, for whichever database the service runs on (PostgreSQL, MySQL/MariaDB, SQLite). */
export class CreateOrders1764300000000 implements MigrationInterface {
  name = 'CreateOrders1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const type = queryRunner.connection.options.type;
    const createdAt =
      type === 'postgres'
        ? { type: 'timestamptz', default: 'now()' }
        : type === 'mysql' || type === 'mariadb'
          ? { type: 'datetime', precision: 6, default: 'CURRENT_TIMESTAMP(6)' }
          : { type: 'datetime', default: "(datetime('now'))" };
    await queryRunner.createTable(
      new Table({
        name: 'orders',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'customerId', type: 'varchar', length: '100' },
          { name: 'sku', type: 'varchar', length: '100' },
          { name: 'quantity', type: 'int' },
          { name: 'createdAt', ...createdAt },
        ],
      }),
      true,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('orders', true);
  }
}
