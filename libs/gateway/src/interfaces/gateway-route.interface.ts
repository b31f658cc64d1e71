import type { Type } from '@nestjs/common';
import type { RpcRequest } from '@tributary/rpc';

/** HTTP methods a gateway route can answer. */
export type GatewayHttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** How an idempotent route retries. Non-idempotent routes make exactly one attempt. */
export interface GatewayRetryOptions {
  /** Attempts in all (1 = no retry). Only idempotent routes use more than one. @default 3 */
  attempts?: number;
  /**
   * Timeout of each attempt but the last, ms; the last attempt gets whatever is left of the route's
   * deadline. An attempt that gets no reply in time is retried (the request may go to another
   * instance), so keep it above the handler's normal latency.
   * @default floor(timeoutMs / attempts)
   */
  attemptTimeoutMs?: number;
  /** Pause before the next attempt, ms. @default 25 */
  backoffMs?: number;
}

/** Per-route options (of `@GatewayRoute` and of a route table entry). */
export interface GatewayRouteOptions {
  /** Deadline of the whole call (every attempt), ms; travels with the request. @default GatewayModule's defaultTimeoutMs (5000) */
  timeoutMs?: number;
  /**
   * Safe to run twice: the gateway retries it on `unavailable` and on an attempt's timeout.
   * @default the contract's `@RpcContract({ idempotent })` (false when unset)
   */
  idempotent?: boolean;
  /** Retry policy of an idempotent route. @default GatewayModule's retry options */
  retry?: GatewayRetryOptions;
  /** `kafka` (consumer groups balance and fail over) or `tcp` (round robin over live instances in the registry). @default GatewayModule's transport ('kafka') */
  transport?: 'kafka' | 'tcp';
  /** HTTP status of a successful answer. @default 200 */
  successStatus?: number;
  /** Request headers (lower case) passed on to the handler as RPC headers. @default GatewayModule's forwardHeaders ([]) */
  forwardHeaders?: string[];
}

/** One HTTP route onto an RPC contract. */
export interface GatewayRouteDefinition extends GatewayRouteOptions {
  /** HTTP method. */
  method: GatewayHttpMethod;
  /** Path with `:name` parameters, e.g. `/stock/:sku` (the app's global prefix is added in front). */
  path: string;
  /** Request class carrying `@RpcContract`; path params, query and body are merged into it. */
  contract: Type<RpcRequest<unknown>>;
}
