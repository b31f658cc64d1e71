/** A message a projection gave up on, as found in a dead-letter topic. */
export interface AdminDeadLetter {
  /** `<dlq-topic>/<partition>/<offset>`: pass it back in `{ ids }`. */
  id: string;
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  /** Event id and type from the envelope headers, when present. */
  eventId?: string;
  eventType?: string;
  /** `tributary-dlq-reason` (DeadLetterReason). */
  reason: string;
  error: string;
  projection: string;
  originTopic: string;
  originPartition: number;
  originOffset: string;
  attempts: number;
  /** ISO time. */
  failedAt: string;
  /** `replayed` or `archived` once acted on; absent while it waits. */
  disposition?: 'replayed' | 'archived';
  /** Only when payloads are shown. */
  payload?: string;
  headers?: Record<string, string>;
}

/** Which dead letters to list or act on. */
export interface DeadLetterFilter {
  /** Dead-letter topic(s); default every topic `deadLetterTopics()` returns. */
  topic?: string;
  /** Projection that dropped them. */
  projection?: string;
  /** Reason, e.g. `handler-failed`. */
  reason?: string;
  /** Text contained in the error (case-insensitive). */
  error?: string;
  /** Event type. */
  type?: string;
  /** Failed at or after / before. */
  since?: Date;
  until?: Date;
  /** Also list replayed and archived ones. @default false */
  includeHandled?: boolean;
  /** Most to return (list only). @default 100 */
  limit?: number;
  /** Include payload and headers (when the module allows it). @default false */
  showPayloads?: boolean;
}

/** What replay and archive act on. */
export type DeadLetterSelection = DeadLetterFilter | { ids: string[] } | 'all';
