/** Metadata key of `@On` (stored on the handler method, an array so stacked decorators merge). */
export const ON_EVENT_METADATA = 'tributary:projections:on';
/** Metadata key of `@OnBatch`. */
export const ON_BATCH_METADATA = 'tributary:projections:on-batch';
/** Metadata key of `@Upcaster` (stored on the method, an array so stacked decorators merge). */
export const UPCASTER_METADATA = 'tributary:projections:upcaster';
/** Token of the injection token under which the app's TypeORM `DataSource` is looked up. */
export const PROJECTIONS_DATA_SOURCE_TOKEN = Symbol('tributary:projections:data-source-token');

/** Headers added to a dead-lettered message (values are strings). */
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

/** Default table names. */
export const DEFAULT_CHECKPOINT_TABLE = 'tributary_projection_checkpoints';
export const DEFAULT_INBOX_TABLE = 'tributary_projection_inbox';
