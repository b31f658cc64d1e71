import type { OutboxDeadRowPolicy } from '../interfaces/outbox-module-options.interface';
import type { OutboxExceptionalRow } from '../store/outbox.store';
import type { OutboxRow } from '../store/outbox-row.interface';

/** Which keys of a lane must wait, and which retrying rows may go now. */
export interface LaneBlocking {
  /** Keys whose pending rows must not ship yet (a retrying row waits for its backoff, or a dead row under 'block'). */
  blockedKeys: Set<string>;
  /** Retrying rows whose backoff is over, in id order. */
  readyRetryIds: number[];
  /** Earliest time a waiting retrying row becomes due, epoch ms. */
  retryAt?: number;
}

/**
 * Read a lane's retrying and dead rows (ordered by id) into the keys that must wait. A key stays
 * blocked from its first waiting or dead row on: later rows of it never overtake.
 */
export function laneBlocking(exceptional: OutboxExceptionalRow[], now: number, policy: OutboxDeadRowPolicy): LaneBlocking {
  const blockedKeys = new Set<string>();
  const readyRetryIds: number[] = [];
  let retryAt: number | undefined;
  for (const row of exceptional) {
    if (row.status === 'dead') {
      if (policy === 'block' && row.key !== null) blockedKeys.add(row.key);
      continue;
    }
    const due = row.availableAt.getTime();
    if (row.key !== null && blockedKeys.has(row.key)) {
      if (due > now) retryAt = Math.min(retryAt ?? due, due);
      continue;
    }
    if (due <= now) {
      readyRetryIds.push(row.id);
    } else {
      retryAt = Math.min(retryAt ?? due, due);
      if (row.key !== null) blockedKeys.add(row.key);
    }
  }
  return { blockedKeys, readyRetryIds, retryAt };
}

/** Limits of one send. */
export interface LaneBatchLimits {
  batchSize: number;
  maxBatchBytes: number;
}

/** The rows of one send, and whether the lane has more after them. */
export interface LaneBatchPlan {
  send: OutboxRow[];
  more: boolean;
}

/** Approximate bytes a row takes in a produce request (value, key, headers, record overhead). */
export function rowWireSize(row: OutboxRow): number {
  let size = Buffer.byteLength(row.payload, 'utf8') + (row.key ? Buffer.byteLength(row.key, 'utf8') : 0) + 32;
  for (const [k, v] of Object.entries(row.headers)) size += k.length + Buffer.byteLength(v, 'utf8') + 4;
  return size;
}

/**
 * Merge a lane's due retrying rows with its first pending rows into one send, in id order.
 * `pendingFull` means the pending read hit its limit: rows past the last pending id are left for
 * the next round, since pending rows between them were not read. The send is cut at `batchSize`
 * rows or `maxBatchBytes` (always at least one row, so an oversized row still gets its attempt).
 */
export function planLaneBatch(
  ready: OutboxRow[],
  pending: OutboxRow[],
  pendingFull: boolean,
  blockedKeys: ReadonlySet<string>,
  limits: LaneBatchLimits,
): LaneBatchPlan {
  const boundary = pendingFull && pending.length > 0 ? pending[pending.length - 1].id : Number.POSITIVE_INFINITY;
  const candidates = [
    ...ready.filter((r) => r.id <= boundary),
    ...pending.filter((r) => r.key === null || !blockedKeys.has(r.key)),
  ].sort((a, b) => a.id - b.id);
  const send: OutboxRow[] = [];
  let bytes = 0;
  for (const row of candidates) {
    if (send.length >= limits.batchSize) break;
    const size = rowWireSize(row);
    if (send.length > 0 && bytes + size > limits.maxBatchBytes) break;
    send.push(row);
    bytes += size;
  }
  const more = pendingFull || send.length < candidates.length || ready.length > 0 && ready.some((r) => r.id > boundary);
  return { send, more };
}
