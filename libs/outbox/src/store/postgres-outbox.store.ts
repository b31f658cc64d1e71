import type { Logger } from '@nestjs/common';
import type { QueryRunner } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { LockingOutboxStore } from './locking-outbox.store';
import type { OutboxColumnTypes, OutboxDialect, OutboxWakeupListener } from './outbox.store';
import { LANE_COUNT_KEY } from './outbox.store';
import { PostgresNotificationListener, type PgClientConstructor } from './postgres-notification.listener';
import type { SqlParams, SqlSession } from './sql-session';

/** PostgreSQL: lane row locks, NOTIFY in the publishing transaction, LISTEN in the relay. */
export class PostgresOutboxStore extends LockingOutboxStore {
  readonly dialect: OutboxDialect = 'postgres';
  private readonly openRelayTransactions = new WeakSet<QueryRunner>();

  /**
   * The relay's transaction commits without waiting for the WAL flush: it only marks rows
   * published, and losing that mark in a database crash merely sends those rows again (delivery is
   * at least once anyway). Business transactions are untouched (SET LOCAL). One round trip.
   */
  protected override async begin(runner: QueryRunner): Promise<void> {
    this.openRelayTransactions.add(runner);
    await runner.query('BEGIN ISOLATION LEVEL READ COMMITTED; SET LOCAL synchronous_commit TO OFF');
  }

  protected override async commit(runner: QueryRunner): Promise<void> {
    this.openRelayTransactions.delete(runner);
    await runner.query('COMMIT');
  }

  protected override async rollback(runner: QueryRunner): Promise<void> {
    if (!this.openRelayTransactions.delete(runner)) return;
    await runner.query('ROLLBACK');
  }

  /** NOTIFY channel: the table name (channels are identifiers, like the table name). */
  get channel(): string {
    return this.tableName;
  }

  protected quote(identifier: string): string {
    return `"${identifier}"`;
  }

  protected placeholder(index: number): string {
    return `$${index}`;
  }

  protected insertIgnore(table: string, columns: string, values: string): string {
    return `INSERT INTO ${table} (${columns}) VALUES ${values} ON CONFLICT DO NOTHING`;
  }

  protected readonly columnTypes: OutboxColumnTypes = {
    id: 'BIGSERIAL PRIMARY KEY',
    uuid: 'UUID',
    topic: 'VARCHAR(249)',
    key: 'TEXT',
    name: 'VARCHAR(255)',
    int: 'INTEGER',
    text: 'TEXT',
    longText: 'TEXT',
    status: 'VARCHAR(16)',
    time: 'TIMESTAMPTZ(3)',
  };

  /**
   * NOTIFY and the lane count read in one round trip. The notification is delivered on commit
   * only, and dropped on rollback: a relay never wakes for rolled-back rows.
   */
  override async afterInsert(session: SqlSession, lanes: number[]): Promise<number | undefined> {
    const [row] = await session.query<{ lanes: unknown }>(
      `SELECT pg_notify($1, $2), (SELECT meta_value FROM ${this.metaTable} WHERE meta_key = $3) AS lanes`,
      [this.channel, lanes.join(','), LANE_COUNT_KEY],
    );
    return row?.lanes === null || row?.lanes === undefined ? undefined : Number(row.lanes);
  }

  protected leaseNow(): string {
    return 'clock_timestamp()';
  }

  protected leaseNowPlus(p: SqlParams, ms: number): string {
    return `(clock_timestamp() + ${p.add(ms)}::int * interval '1 millisecond')`;
  }

  /**
   * EXCLUSIVE lets readers through but waits for every transaction that inserted outbox rows, and
   * holds back new inserts until the re-lane commits; `publish` reads the lane count after its
   * insert, so it sees the new count and refuses instead of writing rows into the old lanes.
   */
  protected async holdBackPublishers(session: SqlSession): Promise<void> {
    await session.query(`LOCK TABLE ${this.t} IN EXCLUSIVE MODE`);
  }

  /** Lane tables made before leases existed get their columns. */
  protected override upgradeStatements(): string[] {
    return [
      `ALTER TABLE ${this.lanesTable} ADD COLUMN IF NOT EXISTS lease_owner ${this.columnTypes.name} NULL, ADD COLUMN IF NOT EXISTS lease_until ${this.columnTypes.time} NULL`,
    ];
  }

  override createListener(onLanes: (lanes: number[] | undefined) => void, logger: Logger): OutboxWakeupListener {
    const driver = this.dataSource.driver as unknown as { postgres: { Client: PgClientConstructor } };
    const o = this.dataSource.options as PostgresConnectionOptions;
    return new PostgresNotificationListener(
      driver.postgres.Client,
      {
        connectionString: o.url,
        host: o.host,
        port: o.port,
        user: o.username,
        password: typeof o.password === 'string' ? o.password : undefined,
        database: o.database,
        ssl: o.ssl as boolean | object | undefined,
      },
      this.channel,
      onLanes,
      logger,
    );
  }
}
