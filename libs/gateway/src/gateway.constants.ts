/** Where `@GatewayRoute` stores its route list on a class (an array; stacked decorators add to it). */
export const GATEWAY_ROUTES_METADATA = 'tributary:gateway:routes';

/** Injection token of the options given to `GatewayModule.forRoot` (without the route table). */
export const GATEWAY_MODULE_OPTIONS = Symbol('TRIBUTARY_GATEWAY_OPTIONS');

/** Injection token of the checked gateway settings with defaults applied. */
export const GATEWAY_SETTINGS = Symbol('TRIBUTARY_GATEWAY_SETTINGS');

/** Injection token of the resolved route table. */
export const GATEWAY_ROUTE_TABLE = Symbol('TRIBUTARY_GATEWAY_ROUTE_TABLE');

/** Default deadline of a route, ms. */
export const DEFAULT_GATEWAY_TIMEOUT_MS = 5000;

/** Default number of attempts of an idempotent route. */
export const DEFAULT_GATEWAY_ATTEMPTS = 3;

/** Default pause between two attempts, ms. */
export const DEFAULT_GATEWAY_BACKOFF_MS = 25;

/**
 * Remote error codes that become an HTTP status by default: the codes `@tributary/rpc` gives to
 * Nest `HttpException`s a handler throws on purpose. Their message is passed on to the client.
 */
export const DEFAULT_REMOTE_ERROR_STATUS: Readonly<Record<string, number>> = Object.freeze({
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  UNPROCESSABLE: 422,
  TOO_MANY_REQUESTS: 429,
});
