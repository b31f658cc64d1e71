import type { LoggerService } from '@nestjs/common';

/**
 * Logs an operation (a handler call, a relay batch) at `warn` when it took longer than a
 * threshold: what it was and how long it took, never a payload. `thresholdMs <= 0` turns it off.
 */
export class SlowOperationLogger {
  constructor(
    private readonly logger: Pick<LoggerService, 'warn'>,
    readonly thresholdMs: number,
  ) {}

  /** Log `describe()` when `durationMs` is over the threshold; returns whether it was. */
  check(durationMs: number, describe: () => string): boolean {
    if (this.thresholdMs <= 0 || durationMs <= this.thresholdMs) return false;
    this.logger.warn(`slow: ${describe()} took ${Math.round(durationMs)} ms (threshold ${this.thresholdMs} ms)`);
    return true;
  }
}
