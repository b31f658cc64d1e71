export * from './projections-configuration.exception';
export * from './duplicate-projection-handler.exception';
export * from './duplicate-projection.exception';
export * from './request-scoped-projection.exception';
export * from './unknown-projection.exception';
export * from './projection-halted.exception';
export * from './upcast.exception';
