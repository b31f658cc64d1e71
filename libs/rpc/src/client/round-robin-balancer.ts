/**
 * Picks instances in turn, skipping those that failed recently (for `cooldownMs`). When every
 * candidate failed recently, they are all tried again rather than none.
 */
export class RoundRobinBalancer {
  private next = 0;
  private readonly failedUntil = new Map<string, number>();

  constructor(private readonly cooldownMs: number) {}

  /** Candidates in the order to try them, healthy first, starting with the next in turn. */
  order(candidates: string[], now = Date.now()): string[] {
    if (candidates.length === 0) return [];
    const start = this.next++ % candidates.length;
    const rotated = [...candidates.slice(start), ...candidates.slice(0, start)];
    const healthy = rotated.filter((c) => (this.failedUntil.get(c) ?? 0) <= now);
    const failed = rotated.filter((c) => (this.failedUntil.get(c) ?? 0) > now);
    return [...healthy, ...failed];
  }

  markFailed(candidate: string, now = Date.now()): void {
    this.failedUntil.set(candidate, now + this.cooldownMs);
  }

  markHealthy(candidate: string): void {
    this.failedUntil.delete(candidate);
  }
}
