/** Headers of RPC requests and replies on Kafka. Values are UTF-8 strings. */
export const RpcHeaders = {
  /** Method name, e.g. `inventory.reserve`. */
  METHOD: 'tributary-rpc-method',
  /** Id that pairs a reply with its request (unique across the caller's restarts: random per process, then a counter). */
  CORRELATION_ID: 'tributary-rpc-correlation-id',
  /** Topic the caller reads replies from. */
  REPLY_TO: 'tributary-rpc-reply-to',
  /** Partition of `REPLY_TO` to answer on. */
  REPLY_PARTITION: 'tributary-rpc-reply-partition',
  /**
   * The caller's remaining budget when the request left, ms: the server's deadline is its own
   * receipt time plus this, so the two clocks are never compared.
   */
  TIMEOUT_MS: 'tributary-rpc-timeout-ms',
  /**
   * Epoch ms (the caller's clock) after which the caller stops waiting. Still sent for servers that
   * predate `TIMEOUT_MS`, and used only when a request carries no `TIMEOUT_MS`: it is right only
   * when both clocks agree.
   */
  DEADLINE: 'tributary-rpc-deadline',
  /** `ok` or `error`. */
  STATUS: 'tributary-rpc-status',
} as const;

/**
 * Where the lib's parameter decorators (`@RpcPayload`, `@RpcCtx`) store their metadata: Nest's own
 * route-args key (as @nestjs/microservices does), so Nest's scanner registers pipe classes given
 * to them as injectables. Spelled out rather than deep-imported from `@nestjs/common/constants`,
 * which Nest 12's package exports may not expose.
 */
export const RPC_ARGS_METADATA = '__routeArguments__';

/** Pattern under which the direct TCP server answers every method. */
export const TCP_RPC_PATTERN = 'tributary.rpc';

/** Default topic prefix: requests on `<prefix>.<service>`, replies on `<prefix>.replies.<service>.<instance>`. */
export const DEFAULT_RPC_TOPIC_PREFIX = 'tributary.rpc';

/** Parameter kinds of discovered RPC handlers. */
export enum RpcParamtype {
  PAYLOAD = 0,
  CONTEXT = 1,
}

/** Error codes Tributary itself returns; handlers may use any other code of their own. */
export const RpcErrorCodes = {
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  UNKNOWN_METHOD: 'UNKNOWN_METHOD',
  DEADLINE_EXCEEDED: 'DEADLINE_EXCEEDED',
  UNAVAILABLE: 'UNAVAILABLE',
  CLIENT_CLOSED: 'CLIENT_CLOSED',
  INTERNAL: 'INTERNAL',
} as const;
