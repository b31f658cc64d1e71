import type { KafkaClient } from '@tributary/kafka';
import type { AdminProjectionPartition, AdminProjectionStatus } from '../interfaces/admin-projection.interface';

/** Consumer groups of projections, as named by default (`<service>.projection.<name>`). */
const PROJECTION_GROUP = /^(.+)\.projection\.(.+)$/;

/**
 * Projections seen from the cluster alone: every consumer group named like a projection's, with
 * the lag of its committed offsets (projections commit after each batch's transaction; their
 * database checkpoint is the truth, the committed offset trails it by at most a batch).
 */
export async function clusterProjections(kafka: KafkaClient): Promise<AdminProjectionStatus[]> {
  const admin = await kafka.admin.client();
  const { groups } = await admin.listGroups();
  const projectionGroups = groups.map((g) => ({ groupId: g.groupId, match: PROJECTION_GROUP.exec(g.groupId) })).filter((g) => g.match);
  if (projectionGroups.length === 0) return [];
  const described = await admin.describeGroups(projectionGroups.map((g) => g.groupId));
  const stateOf = new Map(described.groups.map((g) => [g.groupId, g.state]));
  const out: AdminProjectionStatus[] = [];
  for (const { groupId, match } of projectionGroups) {
    const committed = await admin.fetchOffsets({ groupId });
    const partitions: AdminProjectionPartition[] = [];
    for (const { topic, partitions: parts } of committed) {
      const offsets = await admin.fetchTopicOffsets(topic);
      for (const o of offsets) {
        const c = parts.find((p) => p.partition === o.partition);
        const next = c && BigInt(c.offset) >= 0n ? BigInt(c.offset) : BigInt(o.low);
        const high = BigInt(o.high);
        partitions.push({
          topic,
          partition: o.partition,
          checkpoint: c && BigInt(c.offset) > 0n ? (BigInt(c.offset) - 1n).toString() : null,
          highWatermark: o.high,
          lag: high > next ? Number(high - next) : 0,
        });
      }
    }
    partitions.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
    out.push({
      name: match![2],
      service: match![1],
      groupId,
      // Kafka's group state: Stable (members consuming), Empty (nobody running), PreparingRebalance…
      state: `group:${(stateOf.get(groupId) ?? 'unknown').toLowerCase()}`,
      topics: [...new Set(partitions.map((p) => p.topic))],
      partitions,
      lag: partitions.reduce((sum, p) => sum + p.lag, 0),
    });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
