import type { IHeaders, KafkaMessage, Message } from 'kafkajs';
import { MessageDecodeException } from '../exceptions/message-decode.exception';
import { JSON_CONTENT_TYPE, TributaryHeaders } from '../kafka.constants';
import type { EventEnvelope } from './event-envelope.interface';
import { jsonCodec, type PayloadCodec } from './json.codec';

const RESERVED = new Set<string>(Object.values(TributaryHeaders));
const codecs = new Map<string, PayloadCodec>([[JSON_CONTENT_TYPE, jsonCodec]]);

/** Header values of a consumed message as plain strings (first value wins for repeated keys). */
export function headersToStrings(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  for (const [key, raw] of Object.entries(headers)) {
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (value === undefined || value === null) continue;
    out[key] = Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
  }
  return out;
}

/** Build the Kafka message of an envelope. The payload is encoded by the envelope's codec. */
export function encodeEnvelope(envelope: EventEnvelope, codec: PayloadCodec = jsonCodec): Message {
  const headers: Record<string, string> = {
    ...envelope.headers,
    [TributaryHeaders.EVENT_ID]: envelope.eventId,
    [TributaryHeaders.EVENT_TYPE]: envelope.type,
    [TributaryHeaders.SCHEMA_VERSION]: String(envelope.version),
    [TributaryHeaders.OCCURRED_AT]: envelope.occurredAt,
    [TributaryHeaders.SOURCE]: envelope.source,
    [TributaryHeaders.CONTENT_TYPE]: codec.contentType,
  };
  if (envelope.traceparent) headers[TributaryHeaders.TRACEPARENT] = envelope.traceparent;
  return { key: envelope.key, value: codec.encode(envelope.payload), headers };
}

function required(headers: Record<string, string>, name: string): string {
  const value = headers[name];
  if (value === undefined || value === '') {
    throw new MessageDecodeException('missing-header', `header "${name}" is missing`);
  }
  return value;
}

/**
 * Read a consumed Kafka message as an envelope. Anything malformed raises a typed
 * `MessageDecodeException` (never a crash), so callers can dead-letter the message.
 */
export function decodeEnvelope<T = unknown>(message: Pick<KafkaMessage, 'key' | 'value' | 'headers'>): EventEnvelope<T> {
  const headers = headersToStrings(message.headers);
  const eventId = required(headers, TributaryHeaders.EVENT_ID);
  const type = required(headers, TributaryHeaders.EVENT_TYPE);
  const versionText = required(headers, TributaryHeaders.SCHEMA_VERSION);
  const version = Number(versionText);
  if (!Number.isInteger(version) || version < 1) {
    throw new MessageDecodeException('invalid-header', `schema version "${versionText}" is not a positive integer`);
  }
  const occurredAt = required(headers, TributaryHeaders.OCCURRED_AT);
  if (Number.isNaN(Date.parse(occurredAt))) {
    throw new MessageDecodeException('invalid-header', `occurred-at "${occurredAt}" is not a date`);
  }
  const contentType = headers[TributaryHeaders.CONTENT_TYPE] ?? JSON_CONTENT_TYPE;
  const codec = codecs.get(contentType);
  if (!codec) {
    throw new MessageDecodeException('unsupported-content-type', `no codec for content type "${contentType}"`);
  }
  if (!message.value || message.value.length === 0) {
    throw new MessageDecodeException('empty-value', 'the message has no value (a tombstone?)');
  }
  const rest: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (!RESERVED.has(k)) rest[k] = v;
  return {
    eventId,
    type,
    version,
    key: message.key ? message.key.toString('utf8') : null,
    occurredAt,
    source: headers[TributaryHeaders.SOURCE] ?? '',
    contentType,
    traceparent: headers[TributaryHeaders.TRACEPARENT],
    headers: rest,
    payload: codec.decode(message.value) as T,
  };
}
