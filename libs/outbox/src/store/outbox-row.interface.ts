/**
 * Life of an outbox row: `pending` (never tried) → `published` (Kafka acked), or after a refused send
 * `retrying` (waiting for `availableAt`) → `published` | `dead` (attempts exhausted).
 */
export type OutboxRowStatus = 'pending' | 'retrying' | 'published' | 'dead';

/** One stored event, as read from the outbox table. */
export interface OutboxRow {
  /** Monotonic row id (insertion order). */
  id: number;
  /** Event id (uuid), also the `tributary-event-id` header. */
  eventId: string;
  topic: string;
  /** Kafka message key, or null. */
  key: string | null;
  /** Event type, e.g. `orders.order-placed`. */
  type: string;
  /** Schema version of the payload. */
  version: number;
  /** The Kafka message value: JSON text of the event. */
  payload: string;
  /** The Kafka message headers (envelope headers, source service, traceparent, custom ones). */
  headers: Record<string, string>;
  /** Lane the row ships in: hash of the key modulo the lane count. */
  lane: number;
  status: OutboxRowStatus;
  /** Sends tried so far. */
  attempts: number;
  /** Why the last send failed. */
  lastError: string | null;
  createdAt: Date;
  /** Earliest time of the next send (later than `createdAt` after a failure). */
  availableAt: Date;
  publishedAt: Date | null;
}

/** What `publish` inserts. */
export type NewOutboxRow = Pick<
  OutboxRow,
  'eventId' | 'topic' | 'key' | 'type' | 'version' | 'payload' | 'headers' | 'lane' | 'createdAt'
>;
