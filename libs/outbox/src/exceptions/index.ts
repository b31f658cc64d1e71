export * from './outbox-configuration.exception';
export * from './invalid-outbox-table-name.exception';
export * from './outbox-transaction-required.exception';
export * from './unsupported-outbox-database.exception';
export * from './outbox-lane-count-mismatch.exception';
export * from './outbox-relane.exception';
