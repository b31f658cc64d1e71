export * from './request-scoped-handler.exception';
export * from './duplicate-handler.exception';
export * from './discovery-configuration.exception';
