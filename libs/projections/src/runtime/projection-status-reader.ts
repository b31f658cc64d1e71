import type { ProjectionPartitionStatus, ProjectionStatus } from '../interfaces/projection-status.interface';
import { partitionKey, type ProjectionDefinition, type ProjectionWorkerDeps } from './projection-definition';

/** What the worker knows without I/O, for its status. */
export type ProjectionCounters = Pick<ProjectionStatus, 'state' | 'applied' | 'duplicates' | 'deadLettered' | 'eventsPerSecond' | 'consumingSince' | 'lastError'>;

/**
 * Reads where a projection stands: its checkpoints (one query) against the low and high
 * watermarks of its topics (two admin calls per topic), the lag of every partition.
 */
export class ProjectionStatusReader {
  constructor(
    private readonly definition: ProjectionDefinition,
    private readonly deps: Pick<ProjectionWorkerDeps, 'kafka' | 'store' | 'dataSource'>,
  ) {}

  /** Checkpoints against the high watermarks of every partition of the projection's topics. */
  async partitions(): Promise<ProjectionPartitionStatus[]> {
    const checkpoints = await this.deps.store.readCheckpoints(this.deps.dataSource, this.definition.options.name);
    const byPartition = new Map(checkpoints.map((c) => [partitionKey(c.topic, c.partition), c.offset]));
    const out: ProjectionPartitionStatus[] = [];
    for (const topic of this.definition.topics) {
      const [highs, lows] = await Promise.all([this.deps.kafka.admin.highWatermarks(topic), this.deps.kafka.admin.lowWatermarks(topic)]);
      for (const [partition, high] of [...highs.entries()].sort((a, b) => a[0] - b[0])) {
        const checkpoint = byPartition.get(partitionKey(topic, partition));
        const low = lows.get(partition) ?? 0n;
        const next = checkpoint === undefined || checkpoint + 1n < low ? low : checkpoint + 1n;
        const lag = high > next ? Number(high - next) : 0;
        out.push({
          topic,
          partition,
          checkpoint: checkpoint?.toString() ?? null,
          position: next.toString(),
          lowWatermark: low.toString(),
          highWatermark: high.toString(),
          lag,
        });
      }
    }
    return out;
  }

  /** The partitions' positions and lag with the worker's counters. */
  async status(counters: ProjectionCounters): Promise<ProjectionStatus> {
    const partitions = await this.partitions();
    return {
      name: this.definition.options.name,
      groupId: this.definition.options.groupId,
      topics: this.definition.topics,
      partitions,
      lag: partitions.reduce((sum, p) => sum + p.lag, 0),
      ...counters,
    };
  }
}
