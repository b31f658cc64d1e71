import type { Logger } from '@nestjs/common';
import { backoffDelay, type BackoffPolicy, type ConsumedBatch } from '@tributary/kafka';
import type { QueryRunner } from 'typeorm';
import { BatchAbortedError } from '../errors/batch-aborted.error';
import type { MessageFailure, PreparedMessage } from './prepared-message';
import type { ProjectionHandlerInvoker } from './projection-handler-invoker';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What keeps the group member alive while a retry waits: the batch's heartbeat and running flag. */
export type KeepAlive = Pick<ConsumedBatch, 'heartbeat' | 'isRunning'>;

/** Retry pauses of a failing handler: doubling from `retryBackoffMs`, capped at `retryBackoffMaxMs`. */
export interface RetryPause {
  retryBackoffMs: number;
  retryBackoffMaxMs: number;
  /** The consumer's heartbeat interval: the pause heartbeats at least twice per interval. */
  heartbeatInterval: number;
}

/**
 * The slow path of a batch after a handler failed: every run in a savepoint, a failing run
 * halved until the failing event is isolated, which gets `maxAttempts` tries before it is handed
 * back as a dead letter. Only the failing event's writes are undone.
 */
export class ProjectionSavepointRetrier {
  private readonly backoff: BackoffPolicy;
  private readonly sliceMs: number;

  constructor(
    private readonly invoker: ProjectionHandlerInvoker,
    private readonly maxAttempts: number,
    pause: RetryPause,
    private readonly logger: Logger,
  ) {
    this.backoff = { initialMs: pause.retryBackoffMs, maxMs: pause.retryBackoffMaxMs, multiplier: 2, jitter: 0 };
    // kafkajs sends a heartbeat only once `heartbeatInterval` has passed since the last one, so
    // asking twice per interval keeps the gap between two heartbeats under 1.5 intervals.
    this.sliceMs = Math.max(10, Math.floor(pause.heartbeatInterval / 2));
  }

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
      if (attempt < this.maxAttempts) await this.pause(backoffDelay(attempt, this.backoff), keepAlive);
    }
    return { reason: 'handler-failed', error, attempts: this.maxAttempts };
  }

  /**
   * Wait `ms` inside the batch's transaction in slices, heartbeating between them, so a handler
   * failing for longer than the session timeout does not get the member expelled from its group.
   * A consumer that is stopping ends the wait with `BatchAbortedError` (the batch rolls back and
   * is applied later from the checkpoint); a heartbeat refused during a rebalance throws too.
   */
  private async pause(ms: number, keepAlive: KeepAlive): Promise<void> {
    const until = Date.now() + ms;
    for (;;) {
      await keepAlive.heartbeat();
      const left = until - Date.now();
      if (left <= 0) return;
      if (!keepAlive.isRunning()) throw new BatchAbortedError('the consumer is stopping');
      await sleep(Math.min(left, this.sliceMs));
    }
  }

  /** Invoke the handler of a run inside a savepoint; returns what it threw (its writes undone), or undefined. */
  private async inSavepoint(qr: QueryRunner, run: PreparedMessage[]): Promise<unknown> {
    await qr.query('SAVEPOINT tributary_event');
    try {
      await this.invoker.invoke(qr.manager, run);
      await qr.query('RELEASE SAVEPOINT tributary_event');
      return undefined;
    } catch (e) {
      await qr.query('ROLLBACK TO SAVEPOINT tributary_event');
      await qr.query('RELEASE SAVEPOINT tributary_event');
      return e ?? new Error('handler threw nothing');
    }
  }
}
