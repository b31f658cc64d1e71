import type { OutboxRow } from '../store/outbox-row.interface';

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
 * Merge a lane's due retrying rows with its first pending rows into one send, in id order. Both
 * reads already left out rows held back by an earlier unfinished row of their key.
 * `pendingFull` means the pending read hit its limit: rows past the last pending id are left for
 * the next round, since pending rows between them were not read. The send is cut at `batchSize`
 * rows or `maxBatchBytes` (always at least one row, so an oversized row still gets its attempt).
 */
export function planLaneBatch(
  ready: OutboxRow[],
  pending: OutboxRow[],
  pendingFull: boolean,
  limits: LaneBatchLimits,
): LaneBatchPlan {
  const boundary = pendingFull && pending.length > 0 ? pending[pending.length - 1].id : Number.POSITIVE_INFINITY;
  const candidates = [...ready.filter((r) => r.id <= boundary), ...pending].sort((a, b) => a.id - b.id);
  const send: OutboxRow[] = [];
  let bytes = 0;
  for (const row of candidates) {
    if (send.length >= limits.batchSize) break;
    const size = rowWireSize(row);
    if (send.length > 0 && bytes + size > limits.maxBatchBytes) break;
    send.push(row);
    bytes += size;
  }
  const more = pendingFull || send.length < candidates.length || ready.some((r) => r.id > boundary);
  return { send, more };
}
