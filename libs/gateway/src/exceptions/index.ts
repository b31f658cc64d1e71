export * from './gateway-configuration.exception';
export * from './registry-http-configuration.exception';
