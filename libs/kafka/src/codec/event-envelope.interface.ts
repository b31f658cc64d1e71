/**
 * The message envelope every Tributary lib writes and reads. On the wire it is a Kafka message:
 * `key` is the message key, `payload` the value (encoded by the codec named in `contentType`),
 * and every other field a header (see `TributaryHeaders`).
 */
export interface EventEnvelope<T = unknown> {
  /** Unique event id (uuid); consumers deduplicate on it. */
  eventId: string;
  /** Stable event type, e.g. `orders.order-placed`. */
  type: string;
  /** Schema version of `payload`, starting at 1. */
  version: number;
  /** Partitioning key; events with the same key keep their order. */
  key: string | null;
  /** ISO-8601 time at which the event happened. */
  occurredAt: string;
  /** Service that produced the event. */
  source: string;
  /** MIME type of the encoded payload. */
  contentType: string;
  /** W3C trace context, when the producer had one. */
  traceparent?: string;
  /** Any other headers, as strings. */
  headers: Record<string, string>;
  /** The event's data. */
  payload: T;
}
