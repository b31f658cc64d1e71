/** Settings of a {@link RateMeter}. */
export interface RateMeterOptions {
  /** Length of the sliding window the rate is averaged over, ms. @default 5000 */
  windowMs?: number;
  /** Decimals `perSecond()` keeps (0 gives whole events per second). @default 0 */
  decimals?: number;
}

/**
 * Events per second over a sliding window, from counts added as they happen (a batch committed,
 * rows acked). The rate is the window's total divided by the time since its first sample (at least
 * one second, at most the window), so a burst after an idle period reads as its own rate at once
 * instead of being averaged with the silence before it.
 */
export class RateMeter {
  private readonly samples: Array<{ at: number; count: number }> = [];
  private readonly windowMs: number;
  private readonly scale: number;

  constructor(options: RateMeterOptions = {}) {
    this.windowMs = options.windowMs ?? 5000;
    this.scale = 10 ** (options.decimals ?? 0);
  }

  /** `count` events happened at `at` (epoch ms). */
  add(count: number, at = Date.now()): void {
    this.samples.push({ at, count });
    this.trim(at);
  }

  /** Events per second over the window ending at `now`; 0 when the window is empty. */
  perSecond(now = Date.now()): number {
    this.trim(now);
    if (this.samples.length === 0) return 0;
    const total = this.samples.reduce((sum, s) => sum + s.count, 0);
    const spanMs = Math.min(this.windowMs, Math.max(now - this.samples[0].at, 1000));
    return Math.round(((total * 1000) / spanMs) * this.scale) / this.scale;
  }

  private trim(now: number): void {
    while (this.samples.length > 0 && now - this.samples[0].at > this.windowMs) this.samples.shift();
  }
}
