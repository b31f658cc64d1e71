/**
 * An RPC error with a stable `code` a caller can branch on, a message and optional JSON details.
 * Handlers throw it (or a subclass) to return a typed error; callers receive the matching subclass.
 *
 * ```ts
 * throw new RpcException('OUT_OF_STOCK', `only ${left} left`, { sku, left });
 * ```
 */
export class RpcException extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'RpcException';
  }
}
