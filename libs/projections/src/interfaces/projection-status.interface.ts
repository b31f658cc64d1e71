import type { ProjectionState } from './projection-policies.enum';

/** Position of one partition of a projection. */
export interface ProjectionPartitionStatus {
  topic: string;
  partition: number;
  /** Last offset the projection is done with, or null when it has applied nothing there yet. */
  checkpoint: string | null;
  /** Next offset the projection will apply (checkpoint + 1, or the low watermark). */
  position: string;
  /** Earliest offset Kafka still holds. */
  lowWatermark: string;
  /** Next offset Kafka will write (the end of the partition). */
  highWatermark: string;
  /** Messages not applied yet. */
  lag: number;
}

/** What `ProjectionsService.status` reports. */
export interface ProjectionStatus {
  name: string;
  state: ProjectionState;
  groupId: string;
  topics: string[];
  partitions: ProjectionPartitionStatus[];
  /** Sum of the partitions' lag. */
  lag: number;
  /** Events applied by this instance since it started. */
  applied: number;
  /** Deliveries skipped because their event id was already applied (inbox) or their offset was below the checkpoint. */
  duplicates: number;
  /** Messages this instance sent to a dead-letter topic. */
  deadLettered: number;
  /** Events applied per second over the last few seconds on this instance. */
  eventsPerSecond: number;
  /** When this instance received its first batch since the projection (re)started (ISO), or null. */
  consumingSince: string | null;
  /** Last error, when the projection failed or a batch had to be retried. */
  lastError?: string;
}

/** One emission of a rebuild's progress. */
export interface RebuildProgress {
  name: string;
  /** Events applied since the rebuild started (this instance). */
  applied: number;
  /** Offsets done vs the high watermarks taken when the rebuild started. */
  done: number;
  total: number;
  /** done / total, 0..1 (1 for empty topics). */
  ratio: number;
  eventsPerSecond: number;
  /** Estimated seconds left, null while the rate is unknown. */
  etaSeconds: number | null;
  partitions: ProjectionPartitionStatus[];
  /** True on the last emission (caught up); the Observable then completes. */
  caughtUp: boolean;
}
