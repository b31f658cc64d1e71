export * from './outbox.module';
export { OUTBOX_MODULE_OPTIONS } from './outbox-module-definition';
export * from './interfaces/outbox-module-options.interface';
export { resolveOutboxOptions, type ResolvedOutboxOptions, type ResolvedRelayOptions } from './outbox-options.validator';
export * from './exceptions';
export * from './publisher/outbox.publisher';
export { OutboxRelay, type OutboxBatchTimings, type OutboxRelayMetrics, type OutboxShippedBatch } from './relay/outbox.relay';
export * from './admin/outbox.admin';
export * from './health/outbox.health';
export * from './schema/outbox.migration';
export * from './schema/outbox-entity.schema';
export type { OutboxRow, OutboxRowStatus } from './store/outbox-row.interface';
export { laneOfKey } from './util/lane-hash';
export { isValidTableName } from './util/outbox-table-name';
// Re-exported so event classes can import everything from the outbox.
export {
  IntegrationEvent,
  InvalidIntegrationEventException,
  type IntegrationEventOptions,
} from '@tributary/kafka';
