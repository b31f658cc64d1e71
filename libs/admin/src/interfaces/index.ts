export * from './admin-action.interface';
export * from './admin-service.interface';
export * from './admin-topology.interface';
export * from './admin-outbox.interface';
export * from './admin-projection.interface';
export * from './admin-dead-letter.interface';
export * from './admin-module-options.interface';
