/** Backlog figures of the app's outbox table. */
export interface AdminOutboxStatus {
  table: string;
  pending: number;
  /** Age of the oldest unpublished (pending or retrying) row, seconds; null when there is none. */
  oldestPendingAgeSeconds: number | null;
  retrying: number;
  dead: number;
}

/** Which dead rows to list (or act on). Every given criterion must match. */
export interface DeadRowFilter {
  /** Event type, exact. */
  type?: string;
  /** Message key, exact. */
  key?: string;
  /** Text contained in the last error (case-insensitive). */
  error?: string;
  /** Rows created at or after this time. */
  since?: Date;
  /** Rows created before this time. */
  until?: Date;
  /** Most rows to return (list only). @default 100 */
  limit?: number;
  /** Include payload and headers (when the module allows it with `showPayloads`). @default false */
  showPayloads?: boolean;
}

/** What requeue and purge act on: rows matching a filter, some ids, or every dead row. */
export type DeadRowSelection = DeadRowFilter | { ids: number[] } | 'all';

/** A dead outbox row (exhausted its attempts). */
export interface AdminDeadRow {
  id: number;
  eventId: string;
  topic: string;
  key: string | null;
  type: string;
  version: number;
  attempts: number;
  lastError: string | null;
  /** ISO times. */
  createdAt: string;
  diedAt: string;
  /** Only when payloads are shown. */
  payload?: string;
  headers?: Record<string, string>;
}
