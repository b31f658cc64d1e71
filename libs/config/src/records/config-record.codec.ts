import { createHash } from 'node:crypto';
import { jsonCodec, JSON_CONTENT_TYPE, TributaryHeaders } from '@tributary/kafka';
import type { IHeaders, KafkaMessage, Message } from 'kafkajs';
import { ConfigHeaders, PREVIOUS_VALUE_INLINE_LIMIT } from '../dynamic-config.constants';
import type { PlainConfig } from '../values/config-value';

/** Who changed an entry, when, from where, and what it held before (as read from the record headers). */
export interface ConfigAudit {
  /** `tributary-config-actor`. */
  actor?: string;
  /** `tributary-config-changed-at` (ISO-8601). */
  changedAt?: string;
  /** `tributary-config-previous`: JSON, `null`, or `sha256:<hex>`. */
  previous?: string;
  /** `tributary-config-instance`. */
  instance?: string;
  /** `tributary-source`: the writing service. */
  service?: string;
}

/** A configuration record as the reader sees it. */
export type DecodedConfigRecord =
  | { kind: 'set'; key: string; value: unknown; audit: ConfigAudit }
  | { kind: 'delete'; key: string; audit: ConfigAudit }
  | { kind: 'malformed'; key: string; reason: string; audit: ConfigAudit };

/** What a writer puts on the topic. */
export interface ConfigWrite {
  key: string;
  /** The new value, or null for a delete (tombstone). */
  value: PlainConfig | null;
  /** The entry's stored value before the change, or null when it had none. */
  previous: PlainConfig | null;
  actor: string;
  changedAt: Date;
  instance: string;
  service: string;
}

/**
 * The `tributary-config-previous` header: the previous value's JSON (`null` when the entry had no
 * stored value), or `sha256:<hex>` of that JSON when it exceeds `limit` bytes. JSON never starts
 * with `sha256:`, so the two forms cannot be confused.
 */
export function previousHeaderValue(previous: PlainConfig | null, limit = PREVIOUS_VALUE_INLINE_LIMIT): string {
  const json = JSON.stringify(previous);
  if (Buffer.byteLength(json, 'utf8') <= limit) return json;
  return `sha256:${createHash('sha256').update(json, 'utf8').digest('hex')}`;
}

/** The Kafka message for a set (JSON value) or a delete (tombstone), with its audit headers. */
export function encodeConfigRecord(write: ConfigWrite): Message {
  const headers: IHeaders = {
    [TributaryHeaders.SOURCE]: write.service,
    [ConfigHeaders.ACTOR]: write.actor,
    [ConfigHeaders.CHANGED_AT]: write.changedAt.toISOString(),
    [ConfigHeaders.PREVIOUS]: previousHeaderValue(write.previous),
    [ConfigHeaders.INSTANCE]: write.instance,
  };
  if (write.value === null) return { key: write.key, value: null, headers };
  headers[TributaryHeaders.CONTENT_TYPE] = JSON_CONTENT_TYPE;
  return { key: write.key, value: jsonCodec.encode(write.value), headers };
}

function header(headers: IHeaders | undefined, name: string): string | undefined {
  const raw = headers?.[name];
  const first = Array.isArray(raw) ? raw[0] : raw;
  if (first === undefined) return undefined;
  return typeof first === 'string' ? first : first.toString('utf8');
}

/** The audit headers of a record (absent headers stay undefined: other tools may write none). */
export function readConfigAudit(headers: IHeaders | undefined): ConfigAudit {
  return {
    actor: header(headers, ConfigHeaders.ACTOR),
    changedAt: header(headers, ConfigHeaders.CHANGED_AT),
    previous: header(headers, ConfigHeaders.PREVIOUS),
    instance: header(headers, ConfigHeaders.INSTANCE),
    service: header(headers, TributaryHeaders.SOURCE),
  };
}

/**
 * Read a record of the configuration topic: a value is a set, an empty value a delete; a value
 * that is not JSON is `malformed`. Records without a key are not configuration (undefined).
 */
export function decodeConfigRecord(message: Pick<KafkaMessage, 'key' | 'value' | 'headers'>): DecodedConfigRecord | undefined {
  const key = message.key?.toString('utf8');
  if (!key) return undefined;
  const audit = readConfigAudit(message.headers);
  if (!message.value || message.value.length === 0) return { kind: 'delete', key, audit };
  try {
    return { kind: 'set', key, value: jsonCodec.decode(message.value), audit };
  } catch {
    return { kind: 'malformed', key, reason: 'value is not valid JSON', audit };
  }
}
