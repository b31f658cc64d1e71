import type { DataSource } from 'typeorm';
import type { ProjectionFailurePolicy, UnknownEventPolicy } from './projection-policies.enum';
import type { UpcasterRegistration } from './upcaster.interface';

/** Names of the bookkeeping tables. */
export interface ProjectionTableNames {
  /** Checkpoint per (projection, topic, partition). @default 'tributary_projection_checkpoints' */
  checkpoints?: string;
  /** Event ids applied per projection. @default 'tributary_projection_inbox' */
  inbox?: string;
}

/** Consumer settings shared by all projections of the app. */
export interface ProjectionConsumerOptions {
  /** Session timeout of each group member, ms. @default 30000 */
  sessionTimeout?: number;
  /** Heartbeat interval, ms. @default 3000 */
  heartbeatInterval?: number;
  /** Longest wait of a fetch for new data, ms. @default 100 */
  maxWaitTimeInMs?: number;
  /** Bytes fetched per partition and batch (bigger batches, fewer transactions). @default 1048576 */
  maxBytesPerPartition?: number;
  /** Partitions of one projection applied at the same time (each in its own transaction). @default 1 */
  partitionsConsumedConcurrently?: number;
}

/**
 * Inbox retention. The inbox keeps the ids of applied (and dead-lettered) events so that a copy of
 * an event arriving at another offset (an upstream re-publish, the outbox's at-least-once
 * duplicates after a relay crash) is skipped. A copy at the same offset never needs it: the
 * checkpoint skips offsets at or below it.
 */
export interface ProjectionInboxOptions {
  /**
   * How long an event id is kept after its event was applied or dead-lettered, ms. A duplicate
   * copy arriving later than this after the original is applied again. 0 keeps ids forever.
   * @default 604800000 (7 days)
   */
  retentionMs?: number;
  /** Period of the retention sweep of each projection, ms (each run is spread by ±20 %). @default 60000 */
  sweepIntervalMs?: number;
  /** Inbox rows deleted per statement by the sweep (it repeats until fewer are due). @default 5000 */
  sweepBatchSize?: number;
}

/** Options of `ProjectionsModule.forRoot` / `forRootAsync`. */
export interface ProjectionsModuleOptions {
  /**
   * The TypeORM DataSource holding the read models, inbox and checkpoints. When omitted it is
   * looked up under the `dataSourceToken` given to `forRoot` (the `DataSource` class by default,
   * which is what `TypeOrmModule.forRoot` provides).
   * @default injected
   */
  dataSource?: DataSource;
  /** Names of the bookkeeping tables (validated SQL identifiers). @default see ProjectionTableNames */
  tables?: ProjectionTableNames;
  /**
   * Create the inbox and checkpoint tables at bootstrap when missing (the same DDL as the shipped
   * migrations, `IF NOT EXISTS`). Turn off when you run `projectionsMigrations()` yourself.
   * @default true
   */
  createTables?: boolean;
  /** Start consuming at application bootstrap. @default true */
  autoStart?: boolean;
  /** Prefix of consumer group ids (`<prefix><projection name>`). @default `${serviceName}.projection.` */
  groupIdPrefix?: string;
  /** What to do with a message that cannot be applied. @default ProjectionFailurePolicy.DeadLetter */
  failurePolicy?: ProjectionFailurePolicy;
  /** What to do with an event type no handler takes. @default UnknownEventPolicy.Ignore */
  unknownEventPolicy?: UnknownEventPolicy;
  /** Attempts of a failing handler before its event is dead-lettered (or the projection stops). @default 3 */
  maxAttempts?: number;
  /**
   * Pause before retrying a failed handler, ms (doubles per attempt up to `retryBackoffMaxMs`).
   * Also the first pause before a batch the database refused for a conflict (deadlock,
   * serialization failure, lock timeout) is applied again, with ±50 % jitter; conflicts are
   * retried for as long as the projection runs and never count towards `maxAttempts`.
   * @default 50
   */
  retryBackoffMs?: number;
  /**
   * Longest pause between two tries of a failing handler, ms (at least `retryBackoffMs`). The
   * member keeps heartbeating while it waits, so long retries do not cost a rebalance.
   * @default 5000 (or `retryBackoffMs` when that is larger)
   */
  retryBackoffMaxMs?: number;
  /** Dead-letter topic, or a function of the source topic. @default (topic) => `${topic}.dlq` */
  deadLetterTopic?: string | ((topic: string) => string);
  /** Create the dead-letter topics at bootstrap when missing. @default true */
  createDeadLetterTopics?: boolean;
  /** Upcasters besides the `@Upcaster` methods of projections (they apply to every projection). @default [] */
  upcasters?: UpcasterRegistration[];
  /** Inbox retention. @default { retentionMs: 604800000, sweepIntervalMs: 60000, sweepBatchSize: 5000 } */
  inbox?: ProjectionInboxOptions;
  /** Consumer settings. @default {} */
  consumer?: ProjectionConsumerOptions;
  /** How often `rebuild` progress is emitted, ms. @default 500 */
  progressIntervalMs?: number;
  /**
   * Least time between two reads of the checkpoints and watermarks behind the
   * `tributary_projection_lag` gauge, ms: scrapes closer together share the last read.
   * 0 reads on every scrape.
   * @default 5000
   */
  metricsRefreshMs?: number;
  /**
   * A handler call slower than this is logged once at `warn` (projection, handler, event type,
   * topic[partition]@offset, duration; never the payload). 0 turns the log off. A `@Projection`
   * can set its own.
   * @default KafkaModule's `slowOperationThresholdMs` (1000)
   */
  slowHandlerThresholdMs?: number;
}
