import type { Logger } from '@nestjs/common';
import { backoffDelay } from '@tributary/kafka';
import type { ProjectionDefinition, ProjectionWorkerDeps } from './projection-definition';

/** Longest delay setTimeout takes (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Deletes a projection's inbox rows older than `inbox.retentionMs`, `sweepBatchSize` rows per
 * statement, every `sweepIntervalMs` ±20 % (so the instances of a service do not sweep in step).
 * Nothing to do when `retentionMs` is 0. A failed sweep is logged and tried at the next period.
 */
export class ProjectionInboxSweeper {
  private timer?: NodeJS.Timeout;
  private sweeping?: Promise<number>;
  private running = false;

  constructor(
    private readonly definition: ProjectionDefinition,
    private readonly deps: Pick<ProjectionWorkerDeps, 'dataSource' | 'store' | 'options' | 'transactions'>,
    private readonly logger: Logger,
  ) {}

  start(): void {
    if (this.running || this.deps.options.inbox.retentionMs <= 0) return;
    this.running = true;
    this.schedule();
  }

  /** Stop the timer and wait for a sweep in progress (it ends after its current statement). */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.sweeping;
  }

  /** Delete every row due now, in batches; resolves to the number deleted. */
  sweep(): Promise<number> {
    this.sweeping ??= this.sweepAll().finally(() => {
      this.sweeping = undefined;
    });
    return this.sweeping;
  }

  private schedule(): void {
    const { sweepIntervalMs } = this.deps.options.inbox;
    const delay = backoffDelay(1, { initialMs: sweepIntervalMs, maxMs: sweepIntervalMs, multiplier: 1, jitter: 0.2 });
    this.timer = setTimeout(() => {
      void this.sweep().finally(() => {
        if (this.running) this.schedule();
      });
    }, Math.min(delay, MAX_TIMER_MS));
    this.timer.unref();
  }

  private async sweepAll(): Promise<number> {
    const { retentionMs, sweepBatchSize } = this.deps.options.inbox;
    const { store, dataSource, transactions } = this.deps;
    const name = this.definition.options.name;
    let total = 0;
    try {
      for (;;) {
        // Through the gate: on SQLite a statement run while a batch transaction is open would join it.
        const deleted = await transactions(() => store.deleteExpiredInbox(dataSource, name, retentionMs, sweepBatchSize));
        total += deleted;
        if (deleted < sweepBatchSize || !this.running) break;
      }
      if (total > 0) this.logger.debug(`inbox retention: deleted ${total} event ids older than ${retentionMs} ms`);
    } catch (e) {
      this.logger.warn(`inbox retention sweep failed (tried again in ${this.deps.options.inbox.sweepIntervalMs} ms): ${(e as Error).message}`);
    }
    return total;
  }
}
