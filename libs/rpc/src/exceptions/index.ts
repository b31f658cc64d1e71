export * from './rpc.exception';
export * from './rpc-remote.exception';
export * from './rpc-validation.exception';
export * from './rpc-deadline-exceeded.exception';
export * from './rpc-unknown-method.exception';
export * from './rpc-unavailable.exception';
export * from './rpc-client-closed.exception';
export * from './rpc-configuration.exception';
