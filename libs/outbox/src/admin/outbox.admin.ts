import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { OutboxConfigurationException } from '../exceptions/outbox-configuration.exception';
import { OutboxRelaneException } from '../exceptions/outbox-relane.exception';
import { OutboxContext } from '../outbox.context';
import type { OutboxRow } from '../store/outbox-row.interface';
import { laneOfEvent } from '../util/lane-hash';

/** Which dead rows an admin operation touches: some ids, or `'all'`. */
export type DeadRowSelection = number[] | 'all';

/** Criteria of `OutboxAdmin.findDead`; every given one must match. */
export interface DeadRowCriteria {
  /** Event type, exact. */
  type?: string;
  /** Message key, exact. */
  key?: string;
  /** Text contained in the last error, case-insensitive. */
  errorContains?: string;
  /** Created at or after. */
  since?: Date;
  /** Created before. */
  until?: Date;
  /** Most rows returned. @default 100 */
  limit?: number;
}

/** Backlog figures of the outbox table. */
export interface OutboxAdminStats {
  table: string;
  pending: number;
  retrying: number;
  dead: number;
  /** Creation time of the oldest pending or retrying row, or null. */
  oldestUnpublishedAt: Date | null;
}

const FIND_PAGE = 1000;

/** Options of `OutboxAdmin.relane`. */
export interface OutboxRelaneOptions {
  /** How long to wait for relays to finish the batches they run before giving up, ms. @default 60000 */
  timeoutMs?: number;
}

/** What `OutboxAdmin.relane` did. */
export interface OutboxRelaneResult {
  table: string;
  /** Lane count recorded before. */
  from: number | undefined;
  /** Lane count recorded now. */
  to: number;
  /** Unpublished rows (pending, retrying, dead) moved to another lane. */
  movedRows: number;
}

/** Lists, requeues and purges dead outbox rows (rows that exhausted their attempts); changes the lane count. */
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

  /** Backlog counts of the outbox table (one read, outside any business transaction). */
  async stats(): Promise<OutboxAdminStats> {
    const store = this.context.store;
    const stats = await store.withSession((s) => store.stats(s));
    return { table: this.context.options.tableName, ...stats };
  }

  /** Dead rows matching `criteria`, in id order (pages through the dead rows; they are few by nature). */
  async findDead(criteria: DeadRowCriteria = {}): Promise<OutboxRow[]> {
    const limit = criteria.limit ?? 100;
    if (!Number.isSafeInteger(limit) || limit < 1) throw new OutboxConfigurationException('findDead `limit` must be a positive integer');
    const error = criteria.errorContains?.toLowerCase();
    const matches = (r: OutboxRow) =>
      (criteria.type === undefined || r.type === criteria.type) &&
      (criteria.key === undefined || r.key === criteria.key) &&
      (error === undefined || (r.lastError ?? '').toLowerCase().includes(error)) &&
      (criteria.since === undefined || r.createdAt >= criteria.since) &&
      (criteria.until === undefined || r.createdAt < criteria.until);
    const found: OutboxRow[] = [];
    let afterId = 0;
    for (;;) {
      const page = await this.listDead({ limit: FIND_PAGE, afterId });
      for (const row of page) {
        if (matches(row)) found.push(row);
        if (found.length >= limit) return found;
      }
      if (page.length < FIND_PAGE) return found;
      afterId = page[page.length - 1].id;
    }
  }

  /**
   * Change the table's lane count to `lanes`, safely while relays run: lease every lane (waiting
   * for the batches relays are running to finish, up to `timeoutMs`), then in one transaction that
   * holds publishers back, move every unpublished row to its lane under the new count, replace the
   * lane rows and record the count. Per-key order holds: no relay ships while rows move, and rows
   * of one key end up in one lane, in id order. Afterwards instances configured with the old count
   * refuse to publish (`OutboxLaneCountMismatchException`) and to start: restart them with
   * `lanes: <new count>`. Throws `OutboxRelaneException` (nothing changed) on timeout.
   */
  async relane(lanes: number, options: OutboxRelaneOptions = {}): Promise<OutboxRelaneResult> {
    if (!Number.isInteger(lanes) || lanes < 1 || lanes > 4096) {
      throw new OutboxConfigurationException(`relane takes a lane count between 1 and 4096, got ${String(lanes)}`);
    }
    const timeoutMs = options.timeoutMs ?? 60_000;
    if (!Number.isInteger(timeoutMs) || timeoutMs < 0) throw new OutboxConfigurationException('relane `timeoutMs` must be a non-negative integer');
    const store = this.context.store;
    const table = this.context.options.tableName;
    const owner = `relane#${randomBytes(6).toString('hex')}`;
    // Long enough to outlive the wait and the re-lane transaction; released at the end either way.
    const leaseMs = timeoutMs + 10 * 60_000;
    const deadline = Date.now() + timeoutMs;
    try {
      for (;;) {
        const busy = await store.leaseAllLanes(owner, leaseMs);
        if (busy === 0) break;
        if (Date.now() >= deadline) {
          throw new OutboxRelaneException(table, `${busy} lanes were still held by relays after ${timeoutMs} ms; retry, or stop the relays first`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const { from, moved } = await store.relane(lanes, owner, laneOfEvent);
      return { table, from, to: lanes, movedRows: moved };
    } finally {
      await store.releaseAllLanes(owner).catch(() => undefined);
    }
  }

  private ids(selection: DeadRowSelection): number[] | undefined {
    if (selection === 'all') return undefined;
    if (!Array.isArray(selection) || selection.some((id) => !Number.isSafeInteger(id) || id < 1)) {
      throw new OutboxConfigurationException("pass dead row ids (positive integers) or 'all'");
    }
    return selection;
  }
}
