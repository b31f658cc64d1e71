import type { Logger } from '@nestjs/common';
import { backoffDelay, type BackoffPolicy } from '@tributary/kafka';
import type { QueryRunner } from 'typeorm';
import { transactionConflictOf } from '../errors/transaction-conflict';
import type { HeartbeatPause, KeepAlive } from './heartbeat-pause';
import type { MessageFailure, PreparedMessage } from './prepared-message';
import type { ProjectionHandlerInvoker } from './projection-handler-invoker';

/**
 * The slow path of a batch after a handler failed: every run in a savepoint, a failing run
 * halved until the failing event is isolated, which gets `maxAttempts` tries before it is handed
 * back as a dead letter. Only the failing event's writes are undone.
 *
 * A transaction conflict (deadlock, serialization failure, lock timeout) is not the event's fault
 * and is not retried here: rolling back to the savepoint would keep the locks the batch's earlier
 * events hold, which the other transaction waits for, so the retry would meet the same conflict.
 * It is thrown on, and the whole batch is rolled back and applied again.
 */
export class ProjectionSavepointRetrier {
  /**
   * `backoff`: pauses between a failing event's tries (`retryBackoffMs` doubling up to
   * `retryBackoffMaxMs`); `waits`: the worker's heartbeating pause, also used between conflict retries.
   */
  constructor(
    private readonly invoker: ProjectionHandlerInvoker,
    private readonly maxAttempts: number,
    private readonly backoff: BackoffPolicy,
    private readonly waits: HeartbeatPause,
    private readonly logger: Logger,
  ) {}

  /** Apply a run, adding its events to `applied` or (after their retries) to `deadLetters`. */
  async apply(qr: QueryRunner, run: PreparedMessage[], applied: PreparedMessage[], deadLetters: PreparedMessage[], keepAlive: KeepAlive): Promise<void> {
    if (run.length === 1) {
      const failure = await this.applyWithRetries(qr, run[0], keepAlive);
      if (failure) deadLetters.push({ ...run[0], failure });
      else applied.push(run[0]);
      return;
    }
    if ((await this.inSavepoint(qr, run)) === undefined) {
      applied.push(...run);
      return;
    }
    const middle = Math.ceil(run.length / 2);
    await this.apply(qr, run.slice(0, middle), applied, deadLetters, keepAlive);
    await this.apply(qr, run.slice(middle), applied, deadLetters, keepAlive);
  }

  /** Run one event's handler up to `maxAttempts` times, each in a savepoint; returns the failure when it never succeeds. */
  private async applyWithRetries(qr: QueryRunner, item: PreparedMessage, keepAlive: KeepAlive): Promise<MessageFailure | undefined> {
    const context = item.context!;
    let error = '';
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      const failure = await this.inSavepoint(qr, [item]);
      if (failure === undefined) return undefined;
      error = failure instanceof Error ? failure.message : String(failure);
      this.logger.warn(`${item.route!.handlerName} failed on ${context.topic}[${context.partition}]@${context.offset} (attempt ${attempt}/${this.maxAttempts}): ${error}`);
      if (attempt < this.maxAttempts) await this.waits.wait(backoffDelay(attempt, this.backoff), keepAlive);
    }
    return { reason: 'handler-failed', error, attempts: this.maxAttempts };
  }

  /**
   * Invoke the handler of a run inside a savepoint; returns what it threw (its writes undone), or
   * undefined. Throws a transaction conflict on, for the batch to roll back (MySQL has already
   * rolled back the whole transaction after a deadlock: the savepoint is gone).
   */
  private async inSavepoint(qr: QueryRunner, run: PreparedMessage[]): Promise<unknown> {
    await qr.query('SAVEPOINT tributary_event');
    try {
      await this.invoker.invoke(qr.manager, run);
      await qr.query('RELEASE SAVEPOINT tributary_event');
      return undefined;
    } catch (e) {
      if (transactionConflictOf(e)) throw e;
      await qr.query('ROLLBACK TO SAVEPOINT tributary_event');
      await qr.query('RELEASE SAVEPOINT tributary_event');
      return e ?? new Error('handler threw nothing');
    }
  }
}
