/** Where a projection stands on one partition. */
export interface PartitionPosition {
  topic: string;
  partition: number;
  /** Next offset it will apply. */
  position: string;
  lowWatermark: string;
}

/**
 * Offsets done vs the targets (high watermarks when the rebuild started), from stored positions:
 * the same answer on every instance. Caught up when every partition reached its target.
 */
export function rebuildProgressOf(targets: Record<string, string>, positions: PartitionPosition[]): { done: number; total: number; caughtUp: boolean } {
  const byKey = new Map(positions.map((p) => [`${p.topic}:${p.partition}`, p]));
  let done = 0;
  let total = 0;
  let caughtUp = true;
  for (const [key, rawTarget] of Object.entries(targets)) {
    const target = BigInt(rawTarget);
    const p = byKey.get(key);
    const low = p ? BigInt(p.lowWatermark) : 0n;
    const position = p ? BigInt(p.position) : low;
    if (target <= low) continue;
    total += Number(target - low);
    done += Number((position < target ? position : target) - low);
    if (position < target) caughtUp = false;
  }
  return { done: Math.max(done, 0), total, caughtUp };
}
