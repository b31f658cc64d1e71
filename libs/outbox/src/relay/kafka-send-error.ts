/**
 * How a failed send is handled:
 * - `outage`: Kafka is unreachable or not ready (connection, timeout, leadership). Nothing is wrong
 *   with the rows; the whole relay pauses and retries with backoff, attempts are not counted.
 * - `rejected`: the broker refused these records (too large, invalid, unknown topic, not authorised).
 *   The row is retried with its own backoff and finally marked dead.
 */
export type SendFailureKind = 'outage' | 'rejected';

/** Broker error codes that blame the records, not the cluster's state. */
const REJECTING_TYPES = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
  'INVALID_TOPIC_EXCEPTION',
  'TOPIC_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'UNKNOWN_TOPIC_OR_PARTITION',
  'INVALID_TIMESTAMP',
  'POLICY_VIOLATION',
  'UNSUPPORTED_FOR_MESSAGE_FORMAT',
  'INVALID_REQUIRED_ACKS',
]);

interface ErrorLike {
  name?: string;
  type?: string;
  message?: string;
  originalError?: unknown;
  cause?: unknown;
  errors?: unknown[];
}

function chain(error: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  const queue: unknown[] = [error];
  while (queue.length && out.length < 20) {
    const e = queue.shift();
    if (!e || typeof e !== 'object' || out.includes(e as ErrorLike)) continue;
    const err = e as ErrorLike;
    out.push(err);
    queue.push(err.originalError, err.cause, ...(Array.isArray(err.errors) ? err.errors : []));
  }
  return out;
}

/** Classify a kafkajs send error (looking through retry wrappers at the causes). */
export function classifySendError(error: unknown): SendFailureKind {
  const errors = chain(error);
  if (errors.some((e) => typeof e.type === 'string' && REJECTING_TYPES.has(e.type))) return 'rejected';
  if (errors.some((e) => typeof e.name === 'string' && (e.name.startsWith('KafkaJS') || e.name === 'KafkaConnectionException'))) {
    return 'outage';
  }
  return 'rejected';
}

/**
 * The broker refused records as out of sequence for the producer id (`OUT_OF_ORDER_SEQUENCE_NUMBER`,
 * looking through retry wrappers): the idempotent producer's numbering is off, not the cluster.
 */
export function isOutOfSequence(error: unknown): boolean {
  return chain(error).some((e) => e.type === 'OUT_OF_ORDER_SEQUENCE_NUMBER');
}

/** A short text for the row's `last_error`: the innermost broker error type and message. */
export function describeSendError(error: unknown, maxLength = 1000): string {
  const errors = chain(error);
  const typed = errors.find((e) => typeof e.type === 'string');
  const top = errors[0];
  const text = typed
    ? `${typed.type}: ${typed.message ?? ''}`
    : `${top?.name ?? 'Error'}: ${top?.message ?? String(error)}`;
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}
