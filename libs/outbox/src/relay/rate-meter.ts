/** Events per second over a sliding window of whole seconds. */
export class RateMeter {
  private readonly buckets = new Map<number, number>();
  private readonly startedAt = Date.now();

  constructor(private readonly windowSeconds: number) {}

  add(count: number, at = Date.now()): void {
    const second = Math.floor(at / 1000);
    this.buckets.set(second, (this.buckets.get(second) ?? 0) + count);
    for (const s of this.buckets.keys()) if (s <= second - this.windowSeconds) this.buckets.delete(s);
  }

  perSecond(now = Date.now()): number {
    const second = Math.floor(now / 1000);
    let total = 0;
    for (const [s, n] of this.buckets) if (s > second - this.windowSeconds) total += n;
    const span = Math.min(this.windowSeconds, Math.max(1, (now - this.startedAt) / 1000));
    return Math.round((total / span) * 10) / 10;
  }
}
