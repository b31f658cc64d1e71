import type { InjectionToken } from '@nestjs/common';
import type { DataSource } from 'typeorm';

/** Options of `TributaryAdminModule.forRoot`. */
export interface TributaryAdminModuleOptions {
  /**
   * Let callers see payloads and headers of dead rows and dead letters (they may hold personal
   * data). When false, `showPayloads` in a filter is ignored.
   * @default false
   */
  showPayloads?: boolean;
  /**
   * The DataSource holding the rebuild table (and the outbox and projection tables): an instance
   * or its injection token. Looked up as TypeORM's `DataSource` when omitted; absent = no rebuild records.
   * @default DataSource
   */
  dataSource?: DataSource | InjectionToken;
  /**
   * Table where rebuilds are recorded (who, when, target watermarks), created when missing.
   * @default 'tributary_admin_rebuilds'
   */
  rebuildTable?: string;
  /**
   * Which topics are dead-letter topics.
   * @default /\.dlq$/ (the projections' default `<topic>.dlq`)
   */
  deadLetterTopicPattern?: RegExp;
  /**
   * Suffix of the compacted topic next to each dead-letter topic that records replayed and archived
   * dead letters (`<dlq><suffix>`).
   * @default '.archive'
   */
  archiveTopicSuffix?: string;
  /** Registry topic of discovery. @default 'tributary.registry' */
  registryTopic?: string;
  /** How often progress of long work is emitted, ms. @default 500 */
  progressIntervalMs?: number;
  /**
   * Answer from the cluster only: never look for the outbox, projections, discovery client or a
   * DataSource in the app (the CLI's `--brokers` mode; skips loading those libs).
   * @default false
   */
  clusterOnly?: boolean;
  /** How long one read of a topic (registry, dead letters) may take, ms. @default 20000 */
  readTimeoutMs?: number;
}
