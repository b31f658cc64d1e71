import { Injectable } from '@nestjs/common';
import { OutboxConfigurationException } from '../exceptions/outbox-configuration.exception';
import { OutboxContext } from '../outbox.context';
import type { OutboxRow } from '../store/outbox-row.interface';

/** Which dead rows an admin operation touches: some ids, or `'all'`. */
export type DeadRowSelection = number[] | 'all';

/** Lists, requeues and purges dead outbox rows (rows that exhausted their attempts). */
@Injectable()
export class OutboxAdmin {
  constructor(private readonly context: OutboxContext) {}

  /** Dead rows in id order, `limit` at a time after `afterId` (pass the last id to page on). */
  async listDead(options: { limit?: number; afterId?: number } = {}): Promise<OutboxRow[]> {
    const limit = options.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
      throw new OutboxConfigurationException('listDead `limit` must be an integer between 1 and 10000');
    }
    const store = this.context.store;
    return store.withSession((s) => store.listDead(s, limit, options.afterId ?? 0));
  }

  /**
   * Give dead rows a fresh attempt budget. They ship before later rows of their key (which waited
   * under the 'block' policy). Resolves to the number of rows requeued.
   */
  async requeue(selection: DeadRowSelection): Promise<number> {
    const ids = this.ids(selection);
    if (ids?.length === 0) return 0;
    const store = this.context.store;
    return store.withSession((s) => store.requeueDead(s, ids, new Date()));
  }

  /** Delete dead rows for good (unblocking their keys under 'block'). Resolves to the number deleted. */
  async purge(selection: DeadRowSelection): Promise<number> {
    const ids = this.ids(selection);
    if (ids?.length === 0) return 0;
    const store = this.context.store;
    return store.withSession((s) => store.purgeDead(s, ids));
  }

  private ids(selection: DeadRowSelection): number[] | undefined {
    if (selection === 'all') return undefined;
    if (!Array.isArray(selection) || selection.some((id) => !Number.isSafeInteger(id) || id < 1)) {
      throw new OutboxConfigurationException("pass dead row ids (positive integers) or 'all'");
    }
    return selection;
  }
}
