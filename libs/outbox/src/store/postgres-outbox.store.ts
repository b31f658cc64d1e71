import type { Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { DataSource, QueryRunner } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { LockingOutboxStore } from './locking-outbox.store';
import type { ClaimedRows, ClaimReadOptions, OutboxColumnTypes, OutboxDialect, OutboxWakeupListener } from './outbox.store';
import { LANE_COUNT_KEY, OutboxStore, perLaneShare } from './outbox.store';
import type { NewOutboxRow } from './outbox-row.interface';
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

/** A pooled pg client, as far as the store uses it: statements as one simple query (one result per statement). */
interface PgSimpleQueryable {
  query(sql: string): Promise<PgResult | PgResult[]>;
}

/** A relay statement: its text with the given expressions in place of the parameters, their types, the values as SQL literals. */
interface PreparedStatement {
  /** Names the statement among the store's (its parametrised text is built once). */
  key: string;
  statement: (...args: string[]) => string;
  types: string;
  args: string[];
}

/** SQLSTATE of EXECUTE of a name the session has not prepared. */
const PG_UNDEFINED_PREPARED_STATEMENT = '26000';
/** SQLSTATE of PREPARE of a name the session already prepared. */
const PG_DUPLICATE_PREPARED_STATEMENT = '42P05';

/** What the PostgreSQL store can be told. */
export interface PostgresOutboxStoreOptions {
  /** Run the relay's claim and mark as prepared statements (see `OutboxRelayOptions.preparedStatements`). @default true */
  preparedStatements?: boolean;
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
  private readonly preparedStatements: boolean;
  /** The relay statements with $n parameters, and their names, by `PreparedStatement.key`. */
  private readonly preparedTexts = new Map<string, { text: string; name: string }>();
  /** Names of the statements prepared (SQL PREPARE) on each pooled client. */
  private readonly preparedOn = new WeakMap<object, Set<string>>();

  constructor(dataSource: DataSource, tableName: string, options: PostgresOutboxStoreOptions = {}) {
    super(dataSource, tableName);
    this.preparedStatements = options.preparedStatements ?? true;
  }

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
   * pending and send them again.
   *
   * Both are SQL prepared statements (PREPARE once per connection, then EXECUTE), unless
   * `preparedStatements` is off: planning the read cost more than running it (a 32-row claim took
   * 4.3 ms as literal SQL, 1.8 ms as EXECUTE). The simple protocol has no parameters, so the values
   * are written as literals either way (integers checked, strings escaped by the driver).
   */
  override async claimNextRows(lanes: number[], owner: string, leaseMs: number, read: ClaimReadOptions): Promise<ClaimedRows | undefined> {
    const leaseArgs = [this.laneArray(lanes), this.pg.escapeLiteral(owner), sqlInteger(leaseMs, 'leaseMs')];
    const readArgs = [leaseArgs[0], leaseArgs[1], sqlInteger(read.batchSize, 'batchSize'), this.timeLiteral(read.now)];
    const [leased, found] = await this.withClient((client) =>
      this.runPrepared(client, [
        { key: 'lease', statement: this.claimLeaseStatement(), types: 'int[], text, int', args: leaseArgs },
        { key: `read:${read.blockOnDead}`, statement: this.claimReadStatement(read.blockOnDead), types: 'int[], text, int, timestamptz', args: readArgs },
      ]),
    );
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

  /**
   * Run statements in one simple query (one round trip, one transaction): `EXECUTE` of each
   * (preceded by its `PREPARE` the first time on this connection), or the statements with their
   * values in place when `preparedStatements` is off; the rows of each. When the session no
   * longer has a statement (DISCARD ALL, a pooler) or already has it (another store on this table
   * prepared it on this connection), the whole query failed as one transaction and is sent once
   * more, preparing only what is missing.
   */
  private async runPrepared(client: PgSimpleQueryable, parts: PreparedStatement[]): Promise<Array<Array<Record<string, unknown>>>> {
    if (!this.preparedStatements) return this.simpleQuery(client, parts.map((p) => p.statement(...p.args)));
    let prepared = this.preparedOn.get(client);
    if (!prepared) this.preparedOn.set(client, (prepared = new Set()));
    for (let attempt = 1; ; attempt++) {
      const sql: string[] = [];
      const preparing: string[] = [];
      const executed: number[] = [];
      for (const part of parts) {
        let known = this.preparedTexts.get(part.key);
        if (!known) {
          const text = part.statement(...part.args.map((_, i) => `$${i + 1}`));
          this.preparedTexts.set(part.key, (known = { text, name: this.statementName(text) }));
        }
        const { name, text } = known;
        if (!prepared.has(name)) {
          preparing.push(name);
          sql.push(`PREPARE ${name} (${part.types}) AS ${text}`);
        }
        executed.push(sql.push(`EXECUTE ${name}(${part.args.join(', ')})`) - 1);
      }
      try {
        const results = await this.simpleQuery(client, sql);
        for (const name of preparing) prepared.add(name);
        return executed.map((i) => results[i]);
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (attempt > 1 || (code !== PG_UNDEFINED_PREPARED_STATEMENT && code !== PG_DUPLICATE_PREPARED_STATEMENT)) throw e;
        if (code === PG_UNDEFINED_PREPARED_STATEMENT) prepared.clear();
        else for (const row of await this.simpleQuery(client, [`SELECT name FROM pg_prepared_statements WHERE name LIKE 'tributary\\_%'`]).then((r) => r[0])) prepared.add(String(row.name));
      }
    }
  }

  /** $1 lanes, $2 owner, $3 lease ms: lease the free lanes among $1; the lanes leased. */
  private claimLeaseStatement(): (lanes: string, owner: string, leaseMs: string) => string {
    return (lanes, owner, leaseMs) =>
      `WITH ${ASYNC_COMMIT}, free AS (SELECT lane FROM ${this.lanesTable} WHERE lane = ANY(${lanes}) AND (lease_until IS NULL OR lease_until < clock_timestamp()) ` +
      `ORDER BY lane FOR UPDATE SKIP LOCKED) ` +
      `UPDATE ${this.lanesTable} l SET lease_owner = ${owner}, lease_until = clock_timestamp() + ${leaseMs} * interval '1 millisecond' ` +
      `FROM free, async_commit WHERE l.lane = free.lane RETURNING l.lane`;
  }

  /**
   * $1 lanes, $2 owner, $3 batch size, $4 now: the due retrying rows of the lanes $2 holds among
   * $1 (leased by the lease statement), and each held lane's share (perLaneShare) of pending rows;
   * frees the held lanes that have no row to send.
   */
  private claimReadStatement(blockOnDead: boolean): (lanes: string, owner: string, batchSize: string, now: string) => string {
    const blocker = this.noEarlierBlocker(blockOnDead);
    const columns = PostgresOutboxStore.CLAIM_COLUMNS;
    return (lanes, owner, batchSize, now) =>
      `WITH held AS (SELECT ARRAY(SELECT lane FROM ${this.lanesTable} WHERE lane = ANY(${lanes}) AND lease_owner = ${owner}) AS lanes), ` +
      `share AS (SELECT GREATEST(1, CEIL(${batchSize}::numeric / GREATEST(1, cardinality(lanes))))::int AS n FROM held), ` +
      `ready AS (SELECT ${columns} FROM ${this.t} o, held WHERE o.lane = ANY(held.lanes) AND o.status = 'retrying' ` +
      `AND o.available_at <= ${now} AND ${blocker} ORDER BY o.id LIMIT ${batchSize}), ` +
      `pending AS (SELECT p.* FROM held, unnest(held.lanes) AS h(lane) CROSS JOIN LATERAL (SELECT ${columns} FROM ${this.t} o ` +
      `WHERE o.lane = h.lane AND o.status = 'pending' AND ${blocker} ORDER BY o.id LIMIT (SELECT n FROM share)) p), ` +
      `emptied AS (UPDATE ${this.lanesTable} SET lease_owner = NULL, lease_until = NULL WHERE lane = ANY(${lanes}) AND lease_owner = ${owner} ` +
      `AND lane NOT IN (SELECT lane FROM ready UNION ALL SELECT lane FROM pending)) ` +
      `SELECT 'ready' AS source, ready.* FROM ready UNION ALL SELECT 'pending', pending.* FROM pending`;
  }

  /** `lanes` as an SQL int[] literal. */
  private laneArray(lanes: number[]): string {
    return `ARRAY[${lanes.map((lane) => sqlInteger(lane, 'lane')).join(', ')}]::int[]`;
  }

  /** `at` as an SQL timestamptz literal. */
  private timeLiteral(at: Date): string {
    return `${this.pg.escapeLiteral(at.toISOString())}::timestamptz`;
  }

  /** Statements in one simple-protocol query (one round trip, one transaction); the rows of each. */
  private async simpleQuery(client: PgSimpleQueryable, statements: string[]): Promise<Array<Array<Record<string, unknown>>>> {
    const result = await client.query(statements.join(';\n'));
    return (Array.isArray(result) ? result : [result]).map((r) => r.rows ?? []);
  }

  /** `work` with a pooled connection's pg client. */
  private async withClient<T>(work: (client: PgSimpleQueryable) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    try {
      return await work((await runner.connect()) as PgSimpleQueryable);
    } finally {
      await runner.release().catch(() => undefined);
    }
  }

  /**
   * One autocommit statement: release the leases still ours and mark (or delete) their rows. The
   * rows are found by joining the id array to the primary key: with `id = ANY(...) AND status IN
   * (...)` the planner, on the stale statistics of a table that just took or shipped a backlog,
   * combined the primary key with a scan of the whole (status, id) index (30-130 ms a batch
   * instead of ~1 ms). The lanes (the `ours` init plan) are still locked before any outbox row.
   */
  override async markShipped(lanes: number[], owner: string, rows: ReadonlyArray<{ id: number; lane: number }>, at: Date, deleteRows: boolean): Promise<number[]> {
    const args = [this.laneArray(lanes), this.pg.escapeLiteral(owner), `ARRAY[${rows.map((r) => sqlInteger(r.id, 'row id')).join(', ')}]::bigint[]`];
    if (!deleteRows) args.push(this.timeLiteral(at));
    const statement: PreparedStatement = {
      key: `mark:${deleteRows}`,
      statement: (lanes, owner, ids, time) => this.markShippedStatement(lanes, owner, ids, time, deleteRows),
      types: deleteRows ? 'int[], text, bigint[]' : 'int[], text, bigint[], timestamptz',
      args,
    };
    const [ours] = await this.withClient((client) => this.runPrepared(client, [statement]));
    return ours.map((r) => Number(r.lane));
  }

  /** Release the leases of `lanes` still `owner`'s and mark (or delete) the rows `ids` of those lanes; the lanes released. */
  private markShippedStatement(lanes: string, owner: string, ids: string, at: string | undefined, deleteRows: boolean): string {
    const mark = this.markRowsStatement(ids, at ?? 'NULL', deleteRows, ' AND o.lane = ANY(ARRAY(SELECT lane FROM ours))');
    // The lane rows are updated (so locked) before the outbox rows, the order of every relay transaction.
    return (
      `WITH ${ASYNC_COMMIT}, ours AS (UPDATE ${this.lanesTable} SET lease_owner = NULL, lease_until = NULL WHERE lane = ANY(${lanes}) AND lease_owner = ${owner} RETURNING lane), ` +
      `marked AS (${mark}) SELECT ours.lane FROM ours, async_commit`
    );
  }

  /** The name `text` is prepared under: a digest of the text, so one text has one name on every connection. */
  private statementName(text: string): string {
    return `tributary_${createHash('sha256').update(text).digest('hex').slice(0, 40)}`;
  }

  /** The pg module TypeORM loaded: its client class, and its literal escaping. */
  private get pg(): { Client: PgClientConstructor; escapeLiteral(value: string): string } {
    return (this.dataSource.driver as unknown as { postgres: { Client: PgClientConstructor; escapeLiteral(value: string): string } }).postgres;
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
   * The rows and the lane count read; the relays are notified of the lanes of all the rows after
   * `transaction` commits (see `PostgresCommitNotifier`), never for rolled-back rows.
   */
  override async insertAndReadLaneCount(session: SqlSession, rows: NewOutboxRow[], transaction: QueryRunner): Promise<number | undefined> {
    const recorded = await super.insertAndReadLaneCount(session, rows, transaction);
    this.notifier.track(transaction, [...new Set(rows.map((r) => r.lane))]);
    return recorded;
  }

  /**
   * One statement, so one round trip, for the last (usually only) 500 rows of a publish and the
   * lane count read: the INSERT in a WITH clause, the read in the main query. Both see the
   * statement's snapshot, which PostgreSQL takes after the statement locked its tables (read
   * committed): a re-lane holding the table is waited for, then seen, as with a read of its own.
   */
  protected override async insertLastAndReadLaneCount(session: SqlSession, rows: NewOutboxRow[]): Promise<number | undefined> {
    const { sql, params } = this.insertStatement(rows);
    const [row] = await session.query<{ meta_value: unknown }>(
      `WITH inserted AS (${sql}) SELECT meta_value FROM ${this.metaTable} WHERE meta_key = ${params.add(LANE_COUNT_KEY)}`,
      params.values,
    );
    return row ? Number(row.meta_value) : undefined;
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
