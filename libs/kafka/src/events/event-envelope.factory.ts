import type { EventEnvelope } from '../codec/event-envelope.interface';
import { JSON_CONTENT_TYPE } from '../kafka.constants';
import { activeTraceparent } from '../observability/tracing';
import { newEventId } from './event-id';
import { serializeIntegrationEvent } from './integration-event.serializer';

/** Options of `createEventEnvelope`. */
export interface EventEnvelopeOptions {
  /** Producing service (`KafkaClient.serviceName`). */
  source: string;
  /** Event id. @default a new time-ordered uuid (`newEventId`, UUIDv7) */
  eventId?: string;
  /** When it happened. @default now */
  occurredAt?: Date;
  /** W3C trace context to carry. @default the active OpenTelemetry span's, else none */
  traceparent?: string;
  /** Extra headers. @default {} */
  headers?: Record<string, string>;
}

/**
 * Validate an `@IntegrationEvent` instance and wrap it in the Tributary envelope, ready for
 * `encodeEnvelope`. Returns the topic it belongs to as well.
 */
export function createEventEnvelope(event: object, options: EventEnvelopeOptions): { topic: string; envelope: EventEnvelope } {
  const { metadata, key, payload } = serializeIntegrationEvent(event);
  return {
    topic: metadata.topic,
    envelope: {
      eventId: options.eventId ?? newEventId(),
      type: metadata.type,
      version: metadata.version,
      key,
      occurredAt: (options.occurredAt ?? new Date()).toISOString(),
      source: options.source,
      contentType: JSON_CONTENT_TYPE,
      traceparent: options.traceparent ?? activeTraceparent(),
      headers: options.headers ?? {},
      payload,
    },
  };
}
