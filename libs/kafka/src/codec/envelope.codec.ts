import type { IHeaders, KafkaMessage, Message } from 'kafkajs';
import { MessageDecodeException } from '../exceptions/message-decode.exception';
import { JSON_CONTENT_TYPE, TributaryHeaders } from '../kafka.constants';
import type { EventEnvelope } from './event-envelope.interface';
import { jsonCodec, type PayloadCodec } from './json.codec';

const RESERVED = new Set<string>(Object.values(TributaryHeaders));
const codecs = new Map<string, PayloadCodec>([[JSON_CONTENT_TYPE, jsonCodec]]);
/** Where decodeEnvelope keeps each header it reads: one map lookup per header instead of a chain of string compares. */
const HEADER_SLOTS = new Map<string, number>([
  [TributaryHeaders.EVENT_ID, 0],
  [TributaryHeaders.EVENT_TYPE, 1],
  [TributaryHeaders.SCHEMA_VERSION, 2],
  [TributaryHeaders.OCCURRED_AT, 3],
  [TributaryHeaders.SOURCE, 4],
  [TributaryHeaders.CONTENT_TYPE, 5],
  [TributaryHeaders.TRACEPARENT, 6],
]);

/** One header value of a consumed message as a string (the first of repeated values), or undefined. */
function headerText(raw: IHeaders[string]): string | undefined {
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined || value === null) return undefined;
  return Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
}

/** Header values of a consumed message as plain strings (first value wins for repeated keys). */
export function headersToStrings(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  for (const key of Object.keys(headers)) {
    const value = headerText(headers[key]);
    if (value !== undefined) out[key] = value;
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

function required(value: string | undefined, name: string): string {
  if (value === undefined || value === '') {
    throw new MessageDecodeException('missing-header', `header "${name}" is missing`);
  }
  return value;
}

/**
 * Read a consumed Kafka message as an envelope. Anything malformed raises a typed
 * `MessageDecodeException` (never a crash), so callers can dead-letter the message.
 * One pass over the headers: this runs for every consumed event.
 */
export function decodeEnvelope<T = unknown>(message: Pick<KafkaMessage, 'key' | 'value' | 'headers'>): EventEnvelope<T> {
  const known: Array<string | undefined> = [undefined, undefined, undefined, undefined, undefined, undefined, undefined];
  let rest: Record<string, string> | undefined;
  const raw = message.headers;
  if (raw) {
    for (const name of Object.keys(raw)) {
      const value = headerText(raw[name]);
      if (value === undefined) continue;
      const slot = HEADER_SLOTS.get(name);
      if (slot !== undefined) known[slot] = value;
      else if (!RESERVED.has(name)) (rest ??= {})[name] = value;
    }
  }
  const eventId = required(known[0], TributaryHeaders.EVENT_ID);
  const type = required(known[1], TributaryHeaders.EVENT_TYPE);
  const versionText = required(known[2], TributaryHeaders.SCHEMA_VERSION);
  const version = Number(versionText);
  if (!Number.isInteger(version) || version < 1) {
    throw new MessageDecodeException('invalid-header', `schema version "${versionText}" is not a positive integer`);
  }
  const occurredAt = required(known[3], TributaryHeaders.OCCURRED_AT);
  if (Number.isNaN(Date.parse(occurredAt))) {
    throw new MessageDecodeException('invalid-header', `occurred-at "${occurredAt}" is not a date`);
  }
  const contentType = known[5] ?? JSON_CONTENT_TYPE;
  const codec = codecs.get(contentType);
  if (!codec) {
    throw new MessageDecodeException('unsupported-content-type', `no codec for content type "${contentType}"`);
  }
  if (!message.value || message.value.length === 0) {
    throw new MessageDecodeException('empty-value', 'the message has no value (a tombstone?)');
  }
  return {
    eventId,
    type,
    version,
    key: message.key ? message.key.toString('utf8') : null,
    occurredAt,
    source: known[4] ?? '',
    contentType,
    traceparent: known[6],
    headers: rest ?? {},
    payload: codec.decode(message.value) as T,
  };
}
