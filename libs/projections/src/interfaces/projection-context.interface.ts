import type { EntityManager } from 'typeorm';

/** What a handler gets besides the event: the batch's transaction and where the event came from. */
export interface ProjectionContext {
  /** Manager of the batch's transaction: write the read model through it (and nothing else). */
  manager: EntityManager;
  /** Name of the projection. */
  projection: string;
  /** Kafka topic, partition and offset of the message. */
  topic: string;
  partition: number;
  offset: string;
  /** Message key (the event's partitioning key), or null. */
  key: string | null;
  /** Event id (deduplicated by the inbox). */
  eventId: string;
  /** Stable event type. */
  type: string;
  /** Schema version on the wire (before upcasting). */
  version: number;
  /** When the event happened (ISO-8601). */
  occurredAt: string;
  /** Every header of the message, as strings. */
  headers: Record<string, string>;
}

/** One event of a run given to an `@OnBatch` handler, with its own context (all share one manager). */
export interface ProjectionBatchItem<T = unknown> {
  event: T;
  context: ProjectionContext;
}
