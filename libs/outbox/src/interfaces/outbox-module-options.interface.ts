import type { InjectionToken } from '@nestjs/common';
import type { DataSource } from 'typeorm';

/**
 * What happens to later events of a key once one of its rows is dead (exhausted its attempts).
 * - `'block'`: they wait until the dead row is requeued or purged (`OutboxAdmin`); per-key order is never broken.
 * - `'skip'`: they keep flowing; the dead row is out of order if it is requeued later.
 */
export type OutboxDeadRowPolicy = 'block' | 'skip';

/** Exponential backoff with jitter: `initialMs * multiplier^(attempt-1)`, capped at `maxMs`, ± `jitter`. */
export interface OutboxBackoffOptions {
  /** Delay after the first failure, ms. */
  initialMs?: number;
  /** Upper bound of the delay, ms. */
  maxMs?: number;
  /** Growth factor per attempt. @default 2 */
  multiplier?: number;
  /** Random share of the delay (0..1) added or removed, so instances do not retry in lockstep. @default 0.2 */
  jitter?: number;
}

/** Options of the relay that ships outbox rows to Kafka. */
export interface OutboxRelayOptions {
  /** Run the relay in this app. Turn off in processes that only publish. @default true */
  enabled?: boolean;
  /** Name of this relay instance in logs. @default `<hostname>-<pid>-<random>` */
  instanceId?: string;
  /** Most rows shipped in one Kafka request. @default 500 */
  batchSize?: number;
  /**
   * Most bytes (payload + headers + key) in one Kafka request; keep it under the broker's
   * `message.max.bytes` (1 MiB by default), since a partition's share of a batch travels as one record batch.
   * @default 900000
   */
  maxBatchBytes?: number;
  /**
   * Batches this instance runs at the same time. A batch takes a pooled connection only for its two
   * short transactions (claim and record), never during the Kafka send, so an outage does not
   * starve the app's pool.
   * @default 4
   */
  concurrency?: number;
  /**
   * How long a relay's claim on a lane lasts, ms (database clock). The relay renews it every third
   * of that while a Kafka send runs; a relay that dies mid-batch frees its lanes when it expires.
   * Then the next relay sends the unmarked rows again (duplicates, never out of order).
   * @default 10000
   */
  leaseMs?: number;
  /**
   * Most lanes one batch takes: they are locked, read and sent together in one Kafka request, so
   * a few workers cover many lanes with little waiting. `batchSize` and `maxBatchBytes` are shared
   * between them.
   * @default 16
   */
  lanesPerBatch?: number;
  /**
   * Fallback polling period, ms. On PostgreSQL with `listen` the relay is woken by NOTIFY and only
   * polls to catch up after a lost connection.
   * @default 2000 on PostgreSQL with `listen`, 250 otherwise
   */
  pollIntervalMs?: number;
  /**
   * PostgreSQL only: LISTEN for wake-ups, sent (NOTIFY) right after a transaction that published
   * rows commits through TypeORM, outside it. @default true
   */
  listen?: boolean;
  /**
   * PostgreSQL only: the relay's claim (lease and read) and its mark of a batch Kafka acked whole
   * are prepared (`PREPARE`) once per pooled connection and then run with `EXECUTE`, instead of
   * being parsed and planned for every batch. Turn off when a connection pooler between the app and
   * PostgreSQL does not keep prepared statements across transactions (PgBouncer in transaction
   * mode before 1.21, or without `max_prepared_statements`): the same statements then run as
   * plain SQL with their values in place.
   * @default true
   */
  preparedStatements?: boolean;
  /** Sends tried for a row before it is marked dead. @default 10 */
  maxAttempts?: number;
  /** Backoff between sends of a row the broker refused. @default { initialMs: 1000, maxMs: 60000 } */
  retryBackoff?: OutboxBackoffOptions;
  /** Pause of the whole relay while Kafka or the database is unreachable. @default { initialMs: 250, maxMs: 15000 } */
  outageBackoff?: OutboxBackoffOptions;
  /** Later events of a key whose row died: see `OutboxDeadRowPolicy`. @default 'block' */
  deadRowPolicy?: OutboxDeadRowPolicy;
  /**
   * How long published rows are kept, ms, before the retention sweep deletes them (in batches).
   * `0` deletes each row as soon as Kafka acked it (no sweep).
   * @default 86400000 (24 h)
   */
  retentionMs?: number;
  /** Period of the retention sweep, ms. @default 60000 */
  retentionIntervalMs?: number;
  /** Rows deleted per statement by the retention sweep. @default 5000 */
  retentionBatchSize?: number;
  /**
   * A batch (lock, read, send, mark) slower than this is logged once at `warn` with the table,
   * lanes, row count, topics and duration (never payloads). 0 turns the log off.
   * @default KafkaModule's `slowOperationThresholdMs` (1000)
   */
  slowBatchThresholdMs?: number;
}

/** Limits past which `OutboxHealthIndicator` reports the outbox down. */
export interface OutboxHealthThresholds {
  /** Most unpublished rows (pending + retrying). @default 100000 */
  maxPending?: number;
  /** Oldest unpublished row, ms. @default 300000 (5 min) */
  maxOldestPendingAgeMs?: number;
  /** Most dead rows. @default 1000 */
  maxDeadRows?: number;
}

/**
 * Topics of the published events. The publishing service owns them: the relay creates a missing
 * topic before its first send to it, and the topics of `events` at bootstrap, so consumers that
 * start later find them.
 */
export interface OutboxTopicsOptions {
  /** Create missing topics. Turn off where topics are provisioned elsewhere. @default true */
  create?: boolean;
  /** Partitions of a topic the outbox creates (the most consumers that can share it). @default 6 */
  numPartitions?: number;
  /** Replication factor of a topic the outbox creates; -1 is the broker's default. @default -1 */
  replicationFactor?: number;
}

/** Options of `OutboxModule.forRoot` / `forRootAsync`. */
export interface OutboxModuleOptions {
  /**
   * The app's TypeORM DataSource: an instance, or the injection token it is provided under.
   * Apps using `@nestjs/typeorm` need nothing (its default `DataSource` is injected); a named
   * connection is `getDataSourceToken('name')`.
   * @default DataSource (the class, as provided by TypeOrmModule.forRoot)
   */
  dataSource?: DataSource | InjectionToken;
  /** Outbox table name; `<tableName>_lanes` and `<tableName>_meta` are created beside it. @default 'tributary_outbox' */
  tableName?: string;
  /**
   * Number of lanes keys are hashed into. Rows of one lane ship in id order; lanes ship in parallel.
   * It is recorded with the table (`<tableName>_meta`) by the first instance that starts: an
   * instance configured with another value refuses to start (`OutboxLaneCountMismatchException`).
   * Change it with `OutboxAdmin.relane(n)`, then restart every instance with the new value.
   * @default 64
   */
  lanes?: number;
  /**
   * Create the tables at start-up when missing (idempotent DDL), for tests and quick starts.
   * In production run the migration from `createOutboxMigration()` instead.
   * @default false
   */
  ensureSchema?: boolean;
  /** Event classes this app publishes, registered into `ServiceTopology` at bootstrap. @default [] */
  events?: Array<new (...args: any[]) => object>;
  /** Creation of the event topics. @default { create: true, numPartitions: 6, replicationFactor: -1 } */
  topics?: OutboxTopicsOptions;
  /** Relay settings. @default {} (relay enabled with the defaults above) */
  relay?: OutboxRelayOptions;
  /** Health thresholds. @default {} */
  health?: OutboxHealthThresholds;
  /**
   * Least time between two reads of the table for the row gauges (`tributary_outbox_pending_rows`,
   * oldest age, retrying, dead): scrapes closer together reuse the last figures. 0 reads on every scrape.
   * @default 5000
   */
  metricsRefreshMs?: number;
}
