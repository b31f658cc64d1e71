import { HttpException } from '@nestjs/common';
import { RpcErrorCodes } from '../rpc.constants';
import { RpcDeadlineExceededException } from '../exceptions/rpc-deadline-exceeded.exception';
import { RpcRemoteException } from '../exceptions/rpc-remote.exception';
import { RpcUnknownMethodException } from '../exceptions/rpc-unknown-method.exception';
import { RpcValidationException, type RpcViolation } from '../exceptions/rpc-validation.exception';
import { RpcException } from '../exceptions/rpc.exception';

/** An error as it travels back to the caller. */
export interface RpcErrorBody {
  code: string;
  message: string;
  details?: unknown;
}

/** What a server answers: a result or a typed error. */
export type RpcReply = { ok: true; result: unknown } | { ok: false; error: RpcErrorBody };

const HTTP_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  422: 'UNPROCESSABLE',
  429: 'TOO_MANY_REQUESTS',
};

/**
 * Turn anything a handler (or a guard, pipe, interceptor) threw into a wire error. `RpcException`
 * keeps its code; Nest's `HttpException` maps its status (a pipe's 400 becomes VALIDATION_FAILED);
 * anything else is INTERNAL.
 */
export function toRpcErrorBody(error: unknown): RpcErrorBody {
  if (error instanceof RpcException) return { code: error.code, message: error.message, details: error.details };
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const response = error.getResponse() as { message?: unknown } | string;
    const messages = typeof response === 'object' ? response.message : undefined;
    if (status === 400) {
      // Pipes (ValidationPipe, ParseIntPipe, ...) reject with 400: for callers that is a validation error.
      const list = Array.isArray(messages) ? messages.map(String) : [typeof messages === 'string' ? messages : error.message];
      const violations: RpcViolation[] = list.map((m) => ({ property: Array.isArray(messages) ? (m.split(' ')[0] ?? '') : '(payload)', constraints: [m] }));
      return { code: RpcErrorCodes.VALIDATION_FAILED, message: list.join('; '), details: { side: 'server', direction: 'request', violations } };
    }
    return { code: HTTP_CODES[status] ?? `HTTP_${status}`, message: error.message, details: typeof response === 'object' ? response : undefined };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: RpcErrorCodes.INTERNAL, message };
}

/** The exception a caller gets for a wire error. */
export function fromRpcErrorBody(body: RpcErrorBody, service: string, method: string): RpcException {
  switch (body.code) {
    case RpcErrorCodes.VALIDATION_FAILED: {
      const details = (body.details ?? {}) as { direction?: 'request' | 'response'; violations?: RpcViolation[] };
      return new RpcValidationException(method, 'server', details.direction ?? 'request', details.violations ?? [], body.message);
    }
    case RpcErrorCodes.UNKNOWN_METHOD:
      return new RpcUnknownMethodException(service, method);
    case RpcErrorCodes.DEADLINE_EXCEEDED:
      return new RpcDeadlineExceededException(method, Number((body.details as { timeoutMs?: number } | undefined)?.timeoutMs ?? 0));
    default:
      return new RpcRemoteException(service, method, body.code, body.message, body.details);
  }
}

/** Check that decoded JSON is an `RpcReply`. */
export function isRpcReply(value: unknown): value is RpcReply {
  const v = value as RpcReply;
  if (!v || typeof v !== 'object') return false;
  if (v.ok === true) return 'result' in v;
  return v.ok === false && !!v.error && typeof v.error.code === 'string' && typeof v.error.message === 'string';
}
