/** Injection token of the kafkajs `Kafka` instance shared by the whole app. */
export const KAFKA_CLIENT = Symbol('tributary:kafka-client');

/**
 * Header names of the Tributary message envelope. Every lib writes and reads these;
 * values are UTF-8 strings.
 */
export const TributaryHeaders = {
  /** Unique id of the event (uuid). Consumers deduplicate on it. */
  EVENT_ID: 'tributary-event-id',
  /** Stable event type, e.g. `orders.order-placed`. */
  EVENT_TYPE: 'tributary-event-type',
  /** Schema version of the payload (positive integer as text). */
  SCHEMA_VERSION: 'tributary-schema-version',
  /** ISO-8601 time at which the event happened. */
  OCCURRED_AT: 'tributary-occurred-at',
  /** Name of the service that produced the message. */
  SOURCE: 'tributary-source',
  /** MIME type of the value, `application/json` for the JSON codec. */
  CONTENT_TYPE: 'content-type',
  /** W3C trace context. */
  TRACEPARENT: 'traceparent',
} as const;

export const JSON_CONTENT_TYPE = 'application/json';

/** Prefix of every dead-letter header; a replayed copy drops the headers that start with it. */
export const DEAD_LETTER_HEADER_PREFIX = 'tributary-dlq-';

/**
 * Headers @tributary/projections adds to a dead-lettered message (values are strings), read by the
 * admin's dead-letter listing and replay (which must work without the projections lib installed).
 */
export const DeadLetterHeaders = {
  /** Why the message was dead-lettered (`DeadLetterReason`). */
  REASON: 'tributary-dlq-reason',
  /** The error message. */
  ERROR: 'tributary-dlq-error',
  /** Topic the message was read from. */
  ORIGIN_TOPIC: 'tributary-dlq-origin-topic',
  /** Partition it was read from. */
  ORIGIN_PARTITION: 'tributary-dlq-origin-partition',
  /** Its offset there. */
  ORIGIN_OFFSET: 'tributary-dlq-origin-offset',
  /** Projection that gave up on it. */
  PROJECTION: 'tributary-dlq-projection',
  /** Handler attempts made (0 when it never reached a handler). */
  ATTEMPTS: 'tributary-dlq-attempts',
  /** ISO time of dead-lettering. */
  FAILED_AT: 'tributary-dlq-failed-at',
  /**
   * Set by the admin's dead-letter replay on the copy it sends back to the origin topic (value: the
   * dead letter's `<topic>/<partition>/<offset>`). Only such a copy is applied for an event id the
   * projection dead-lettered; any other copy of that id is a duplicate.
   */
  REPLAYED_FROM: 'tributary-dlq-replayed-from',
} as const;
