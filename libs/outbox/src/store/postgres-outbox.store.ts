import type { Logger } from '@nestjs/common';
import type { QueryRunner } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { LockingOutboxStore } from './locking-outbox.store';
import type { ClaimedRows, ClaimReadOptions, OutboxColumnTypes, OutboxDialect, OutboxWakeupListener } from './outbox.store';
import { OutboxStore, perLaneShare } from './outbox.store';
import { PostgresCommitNotifier } from './postgres-commit.notifier';
import { PostgresNotificationListener, type PgClient, type PgClientConstructor } from './postgres-notification.listener';
import type { SqlParams, SqlSession } from './sql-session';

/**
 * A CTE making the statement's own (autocommit) transaction commit without waiting for the WAL
 * flush, like the relay's explicit transactions (see `begin`); it must be referenced to run.
 */
const ASYNC_COMMIT = `async_commit AS (SELECT set_config('synchronous_commit', 'off', true))`;

/** What the pg driver returns for one statement. */
interface PgResult {
  rows?: Array<Record<string, unknown>>;
}

/** `value` as an SQL integer literal; throws on anything else (it is written into SQL text). */
function sqlInteger(value: number, name: string): string {
  if (!Number.isSafeInteger(value)) throw new TypeError(`outbox claim: ${name} must be an integer, got ${String(value)}`);
  return String(value);
}

/** PostgreSQL: lane row locks, NOTIFY after the publishing transaction commits, LISTEN in the relay. */
export class PostgresOutboxStore extends LockingOutboxStore {
  /**
   * The row columns of the relay's claim, times as epoch milliseconds (float8, a number to the
   * driver): parsing two timestamp strings per row was the relay's largest cost in the pg driver.
   */
  private static readonly CLAIM_COLUMNS = OutboxStore.COLUMNS.split(', ')
    .map((c) => (c === 'created_at' || c === 'available_at' ? `(extract(epoch FROM o.${c}) * 1000)::float8 AS ${c}` : `o.${c}`))
    .join(', ');
  readonly dialect: OutboxDialect = 'postgres';
  private readonly openRelayTransactions = new WeakSet<QueryRunner>();
  private readonly notifier = new PostgresCommitNotifier(this.dataSource, this.channel, () => this.dedicatedClient());

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

  /**
   * One round trip: two statements sent together as one simple query, which PostgreSQL runs as
   * one transaction, each statement with a snapshot of its own (read committed). The first leases
   * the free lanes (row locks, SKIP LOCKED); the second, in a fresh snapshot taken after those
   * locks, reads the rows of the lanes this batch holds and frees again the lanes that held none.
   * One snapshot for both would not do: a relay that released a lane just before we locked it
   * committed its marks then, and a snapshot taken before the lock would still see those rows
   * pending and send them again. The simple protocol has no parameters, so the values are
   * written as literals (integers checked, strings escaped by the driver).
   */
  override async claimNextRows(lanes: number[], owner: string, leaseMs: number, read: ClaimReadOptions): Promise<ClaimedRows | undefined> {
    const laneList = `ARRAY[${lanes.map((lane) => sqlInteger(lane, 'lane')).join(', ')}]::int[]`;
    const ownerLiteral = this.pg.escapeLiteral(owner);
    const batchSize = sqlInteger(read.batchSize, 'batchSize');
    const blocker = this.noEarlierBlocker(read.blockOnDead);
    const lease =
      `WITH ${ASYNC_COMMIT}, free AS (SELECT lane FROM ${this.lanesTable} WHERE lane = ANY(${laneList}) AND (lease_until IS NULL OR lease_until < clock_timestamp()) ` +
      `ORDER BY lane FOR UPDATE SKIP LOCKED) ` +
      `UPDATE ${this.lanesTable} l SET lease_owner = ${ownerLiteral}, lease_until = clock_timestamp() + ${sqlInteger(leaseMs, 'leaseMs')} * interval '1 millisecond' ` +
      `FROM free, async_commit WHERE l.lane = free.lane RETURNING l.lane`;
    // The lanes this batch holds (leased by the first statement) and each one's share of the batch (perLaneShare).
    const rows =
      `WITH held AS (SELECT ARRAY(SELECT lane FROM ${this.lanesTable} WHERE lane = ANY(${laneList}) AND lease_owner = ${ownerLiteral}) AS lanes), ` +
      `share AS (SELECT GREATEST(1, CEIL(${batchSize}::numeric / GREATEST(1, cardinality(lanes))))::int AS n FROM held), ` +
      `ready AS (SELECT ${PostgresOutboxStore.CLAIM_COLUMNS} FROM ${this.t} o, held WHERE o.lane = ANY(held.lanes) AND o.status = 'retrying' ` +
      `AND o.available_at <= ${this.pg.escapeLiteral(read.now.toISOString())}::timestamptz AND ${blocker} ORDER BY o.id LIMIT ${batchSize}), ` +
      `pending AS (SELECT p.* FROM held, unnest(held.lanes) AS h(lane) CROSS JOIN LATERAL (SELECT ${PostgresOutboxStore.CLAIM_COLUMNS} FROM ${this.t} o ` +
      `WHERE o.lane = h.lane AND o.status = 'pending' AND ${blocker} ORDER BY o.id LIMIT (SELECT n FROM share)) p), ` +
      `emptied AS (UPDATE ${this.lanesTable} SET lease_owner = NULL, lease_until = NULL WHERE lane = ANY(${laneList}) AND lease_owner = ${ownerLiteral} ` +
      `AND lane NOT IN (SELECT lane FROM ready UNION ALL SELECT lane FROM pending)) ` +
      `SELECT 'ready' AS source, ready.* FROM ready UNION ALL SELECT 'pending', pending.* FROM pending`;
    const [leased, found] = await this.simpleQuery([lease, rows]);
    if (leased.length === 0) return undefined;
    const held = leased.map((r) => Number(r.lane)).sort((a, b) => a - b);
    const byId = (a: { id: number }, b: { id: number }) => a.id - b.id;
    return {
      held,
      ready: found.filter((r) => r.source === 'ready').map((r) => this.toRow(r)).sort(byId),
      pending: found.filter((r) => r.source === 'pending').map((r) => this.toRow(r)).sort(byId),
      perLaneLimit: perLaneShare(read.batchSize, held.length),
    };
  }

  /** Run statements in one simple-protocol query (one round trip, one transaction); the rows of each. */
  private async simpleQuery(statements: string[]): Promise<Array<Array<Record<string, unknown>>>> {
    const runner = this.dataSource.createQueryRunner();
    try {
      const client = (await runner.connect()) as { query(sql: string): Promise<PgResult | PgResult[]> };
      const result = await client.query(statements.join(';\n'));
      return (Array.isArray(result) ? result : [result]).map((r) => r.rows ?? []);
    } finally {
      await runner.release().catch(() => undefined);
    }
  }

  /** The pg module TypeORM loaded: its client class, and its literal escaping. */
  private get pg(): { Client: PgClientConstructor; escapeLiteral(value: string): string } {
    return (this.dataSource.driver as unknown as { postgres: { Client: PgClientConstructor; escapeLiteral(value: string): string } }).postgres;
  }

  /**
   * One autocommit statement: release the leases still ours and mark (or delete) their rows. The
   * rows are found by joining the id array to the primary key: with `id = ANY(...) AND status IN
   * (...)` the planner, on the stale statistics of a table that just took or shipped a backlog,
   * combined the primary key with a scan of the whole (status, id) index (30-130 ms a batch
   * instead of ~1 ms). The lanes (the `ours` init plan) are still locked before any outbox row.
   */
  override async markShipped(lanes: number[], owner: string, rows: ReadonlyArray<{ id: number; lane: number }>, at: Date, deleteRows: boolean): Promise<number[]> {
    const ids = rows.map((r) => r.id);
    const mark = this.markRowsStatement('$3', '$4', deleteRows, ' AND o.lane = ANY(ARRAY(SELECT lane FROM ours))');
    const params = deleteRows ? [lanes, owner, ids] : [lanes, owner, ids, this.toDbTime(at)];
    return this.withSession(async (session) => {
      // The lane rows are updated (so locked) before the outbox rows, the order of every relay transaction.
      const ours = await session.query<{ lane: unknown }>(
        `WITH ${ASYNC_COMMIT}, ours AS (UPDATE ${this.lanesTable} SET lease_owner = NULL, lease_until = NULL WHERE lane = ANY($1::int[]) AND lease_owner = $2 RETURNING lane), ` +
          `marked AS (${mark}) SELECT ours.lane FROM ours, async_commit`,
        params,
      );
      return ours.map((r) => Number(r.lane));
    });
  }

  /** Rows by id through the primary key (see `markShipped`): the relay's path when some rows of a batch were refused. */
  override async markPublished(session: SqlSession, ids: number[], at: Date, deleteRows: boolean): Promise<void> {
    if (ids.length === 0) return;
    await session.execute(this.markRowsStatement('$1', '$2', deleteRows), deleteRows ? [ids] : [ids, this.toDbTime(at)]);
  }

  /**
   * Mark published at `at` (or delete, with retention 0) the rows whose ids are in the array
   * parameter `ids`, found by joining the array to the primary key; `where` narrows it further.
   */
  private markRowsStatement(ids: string, at: string, deleteRows: boolean, where = ''): string {
    const byId = `unnest(${ids}::bigint[]) AS m(id) WHERE o.id = m.id${where}`;
    return deleteRows
      ? `DELETE FROM ${this.t} o USING ${byId}`
      : `UPDATE ${this.t} o SET status = 'published', published_at = ${at}, attempts = o.attempts + 1, last_error = NULL ` +
          `FROM ${byId} AND o.status IN ('pending', 'retrying')`;
  }

  /** A new connection outside the pool, with the DataSource's settings (not connected yet). */
  private dedicatedClient(): PgClient {
    const o = this.dataSource.options as PostgresConnectionOptions;
    return new this.pg.Client({
      connectionString: o.url,
      host: o.host,
      port: o.port,
      user: o.username,
      password: typeof o.password === 'string' ? o.password : undefined,
      database: o.database,
      ssl: o.ssl as boolean | object | undefined,
    });
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
   * The lane count read; the relays are notified of `lanes` after `transaction` commits (see
   * `PostgresCommitNotifier`), never for rolled-back rows.
   */
  override async afterInsert(session: SqlSession, lanes: number[], transaction: QueryRunner): Promise<number | undefined> {
    this.notifier.track(transaction, lanes);
    return super.afterInsert(session, lanes, transaction);
  }

  override async close(): Promise<void> {
    await this.notifier.close();
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
    return new PostgresNotificationListener(
      () => this.dedicatedClient(),
      this.channel,
      onLanes,
      logger,
    );
  }
}
