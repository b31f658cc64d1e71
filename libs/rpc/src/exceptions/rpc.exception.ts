import { IntrinsicException } from '@nestjs/common';

/**
 * An RPC error with a stable `code` a caller can branch on, a message and optional JSON details.
 * Handlers throw it (or a subclass) to return a typed error; callers receive the matching subclass.
 *
 * ```ts
 * throw new RpcException('OUT_OF_STOCK', `only ${left} left`, { sku, left });
 * ```
 *
 * It is an expected outcome, not a crash: Nest's exception handler does not log it (IntrinsicException).
 */
export class RpcException extends IntrinsicException {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'RpcException';
  }
}
