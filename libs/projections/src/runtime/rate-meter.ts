/** Events per second over a sliding window, from counts added as batches commit. */
export class RateMeter {
  private readonly samples: Array<{ at: number; count: number }> = [];

  constructor(private readonly windowMs = 5000) {}

  add(count: number, at = Date.now()): void {
    this.samples.push({ at, count });
    this.trim(at);
  }

  perSecond(now = Date.now()): number {
    this.trim(now);
    if (this.samples.length === 0) return 0;
    const total = this.samples.reduce((sum, s) => sum + s.count, 0);
    const span = Math.max(now - this.samples[0].at, 1000);
    return Math.round((total * 1000) / span);
  }

  private trim(now: number): void {
    while (this.samples.length > 0 && now - this.samples[0].at > this.windowMs) this.samples.shift();
  }
}
