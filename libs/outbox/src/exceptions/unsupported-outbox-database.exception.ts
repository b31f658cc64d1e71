/** The DataSource's database type has no outbox store. */
export class UnsupportedOutboxDatabaseException extends Error {
  constructor(readonly databaseType: string) {
    super(
      `The outbox does not support TypeORM database type "${databaseType}": use postgres, mysql, mariadb or better-sqlite3.`,
    );
    this.name = 'UnsupportedOutboxDatabaseException';
  }
}
