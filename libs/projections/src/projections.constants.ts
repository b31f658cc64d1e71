/** Metadata key of `@On` (stored on the handler method, an array so stacked decorators merge). */
export const ON_EVENT_METADATA = 'tributary:projections:on';
/** Metadata key of `@OnBatch`. */
export const ON_BATCH_METADATA = 'tributary:projections:on-batch';
/** Metadata key of `@Upcaster` (stored on the method, an array so stacked decorators merge). */
export const UPCASTER_METADATA = 'tributary:projections:upcaster';
/** Token of the injection token under which the app's TypeORM `DataSource` is looked up. */
export const PROJECTIONS_DATA_SOURCE_TOKEN = Symbol('tributary:projections:data-source-token');

/** Headers added to a dead-lettered message; defined in @tributary/kafka, which the admin's replay reads without this lib. */
export { DeadLetterHeaders } from '@tributary/kafka';

/** Default table names. */
export const DEFAULT_CHECKPOINT_TABLE = 'tributary_projection_checkpoints';
export const DEFAULT_INBOX_TABLE = 'tributary_projection_inbox';
