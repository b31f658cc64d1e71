import type { Logger } from '@nestjs/common';
import type { OutboxContext } from '../outbox.context';

/**
 * Deletes published rows older than `relay.retentionMs`, `retentionBatchSize` rows per statement,
 * every `retentionIntervalMs` (nothing to do when `retentionMs` is 0: rows go on ack).
 */
export class RetentionSweeper {
  private timer?: NodeJS.Timeout;
  private sweeping = false;

  constructor(
    private readonly context: OutboxContext,
    private readonly logger: Logger,
    private readonly host: { isRunning(): boolean; pausedUntil(): number },
  ) {}

  start(): void {
    const { retentionMs, retentionIntervalMs } = this.context.options.relay;
    if (retentionMs > 0 && !this.timer) this.timer = setInterval(() => void this.sweep(), retentionIntervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Delete what is due now; resolves to the number of rows deleted (0 while paused or already sweeping). */
  async sweep(): Promise<number> {
    const { retentionMs, retentionBatchSize } = this.context.options.relay;
    if (this.sweeping || retentionMs <= 0 || Date.now() < this.host.pausedUntil()) return 0;
    this.sweeping = true;
    const store = this.context.store;
    let total = 0;
    try {
      const cutoff = new Date(Date.now() - retentionMs);
      for (;;) {
        const deleted = await store.withSession((s) => store.deletePublishedBefore(s, cutoff, retentionBatchSize));
        total += deleted;
        if (deleted < retentionBatchSize || !this.host.isRunning()) break;
      }
    } catch (e) {
      this.logger.warn(`outbox retention sweep failed: ${(e as Error).message}`);
    } finally {
      this.sweeping = false;
    }
    return total;
  }
}
