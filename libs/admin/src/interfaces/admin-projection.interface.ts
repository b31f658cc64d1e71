/** One partition of a projection's source topics. */
export interface AdminProjectionPartition {
  topic: string;
  partition: number;
  /** Last offset done (stored checkpoint, or committed group offset − 1 in cluster mode); null when none. */
  checkpoint: string | null;
  highWatermark: string;
  lag: number;
}

/** A rebuild as recorded in the admin's rebuild table (visible from every instance). */
export interface AdminRebuildRecord {
  id: string;
  projection: string;
  startedBy: string;
  via: string;
  /** ISO times. */
  startedAt: string;
  finishedAt: string | null;
  /** High watermarks taken at the start, `topic:partition` → offset. */
  targets: Record<string, string>;
  /** Progress computed from the checkpoints against the targets. */
  progress: { done: number; total: number; ratio: number };
}

/** State of a projection. */
export interface AdminProjectionStatus {
  name: string;
  /** Owning service (cluster mode: from the registry), when known. */
  service?: string;
  groupId: string;
  /** State on this instance (`ProjectionState`), or `unknown` in cluster mode. */
  state: string;
  topics: string[];
  partitions: AdminProjectionPartition[];
  lag: number;
  lastError?: string;
  /** The last rebuild recorded for it, running or finished. */
  rebuild?: AdminRebuildRecord;
}
