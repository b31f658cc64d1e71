import type { Type } from '@nestjs/common';
import type { GatewayRetryOptions, GatewayRouteDefinition } from './gateway-route.interface';

/** Options of `GatewayModule.forRoot` / `forRootAsync` (the route table is in `GatewayModuleExtras`). */
export interface GatewayModuleOptions {
  /** Deadline of a route that sets none, ms. @default 5000 */
  defaultTimeoutMs?: number;
  /** Transport of a route that sets none. @default 'kafka' */
  transport?: 'kafka' | 'tcp';
  /** Retry policy of idempotent routes that set none. @default { attempts: 3, attemptTimeoutMs: floor(timeoutMs / attempts), backoffMs: 25 } */
  retry?: GatewayRetryOptions;
  /**
   * Remote error codes answered with an HTTP status instead of 502, with the handler's message
   * passed on (so only map codes whose messages are meant for clients), e.g. `{ OUT_OF_STOCK: 409 }`.
   * Merged over the defaults.
   * @default { BAD_REQUEST: 400, UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404, CONFLICT: 409, UNPROCESSABLE: 422, TOO_MANY_REQUESTS: 429 }
   */
  remoteErrorStatus?: Record<string, number>;
  /** Request headers (lower case) passed on to handlers as RPC headers, for every route. @default [] */
  forwardHeaders?: string[];
}

/** The route table: fixed when the module is defined, because routes are controller metadata. */
export interface GatewayModuleExtras {
  /** HTTP routes onto RPC contracts. @default [] */
  routes?: GatewayRouteDefinition[];
  /** Classes carrying `@GatewayRoute` decorators; their routes are added after `routes`. @default [] */
  routeClasses?: Type<unknown>[];
}
