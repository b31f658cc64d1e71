export * from './dynamic-config-configuration.exception';
export * from './invalid-config-value.exception';
export * from './config-write-refused.exception';
export * from './dynamic-config-not-ready.exception';
