import type { Logger } from '@nestjs/common';
import type { QueryRunner } from 'typeorm';
import type { MessageFailure, PreparedMessage } from './prepared-message';
import type { ProjectionHandlerInvoker } from './projection-handler-invoker';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The slow path of a batch after a handler failed: every run in a savepoint, a failing run
 * halved until the failing event is isolated, which gets `maxAttempts` tries before it is handed
 * back as a dead letter. Only the failing event's writes are undone.
 */
export class ProjectionSavepointRetrier {
  constructor(
    private readonly invoker: ProjectionHandlerInvoker,
    private readonly maxAttempts: number,
    private readonly retryBackoffMs: number,
    private readonly logger: Logger,
  ) {}

  /** Apply a run, adding its events to `applied` or (after their retries) to `deadLetters`. */
  async apply(qr: QueryRunner, run: PreparedMessage[], applied: PreparedMessage[], deadLetters: PreparedMessage[]): Promise<void> {
    if (run.length === 1) {
      const failure = await this.applyWithRetries(qr, run[0]);
      if (failure) deadLetters.push({ ...run[0], failure });
      else applied.push(run[0]);
      return;
    }
    if ((await this.inSavepoint(qr, run)) === undefined) {
      applied.push(...run);
      return;
    }
    const middle = Math.ceil(run.length / 2);
    await this.apply(qr, run.slice(0, middle), applied, deadLetters);
    await this.apply(qr, run.slice(middle), applied, deadLetters);
  }

  /** Run one event's handler up to `maxAttempts` times, each in a savepoint; returns the failure when it never succeeds. */
  private async applyWithRetries(qr: QueryRunner, item: PreparedMessage): Promise<MessageFailure | undefined> {
    const context = item.context!;
    let error = '';
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      const failure = await this.inSavepoint(qr, [item]);
      if (failure === undefined) return undefined;
      error = failure instanceof Error ? failure.message : String(failure);
      this.logger.warn(`${item.route!.handlerName} failed on ${context.topic}[${context.partition}]@${context.offset} (attempt ${attempt}/${this.maxAttempts}): ${error}`);
      if (attempt < this.maxAttempts) await sleep(this.retryBackoffMs * 2 ** (attempt - 1));
    }
    return { reason: 'handler-failed', error, attempts: this.maxAttempts };
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
