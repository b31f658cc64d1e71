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
