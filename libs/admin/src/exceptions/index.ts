export * from './admin-unavailable.exception';
export * from './admin-argument.exception';
