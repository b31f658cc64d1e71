import type { HttpException } from '@nestjs/common';
import {
  RpcClientClosedException,
  RpcDeadlineExceededException,
  RpcErrorCodes,
  RpcRemoteException,
  RpcUnavailableException,
  RpcUnknownMethodException,
  RpcValidationException,
} from '@tributary/rpc';
import type { GatewayRoute } from '../routing/gateway-route-table';
import { gatewayHttpError } from './gateway-error-body';

/** An RPC failure as HTTP: the exception to answer and, for operators, what to log (never shown to clients). */
export interface GatewayErrorMapping {
  exception: HttpException;
  /** Set when the failure deserves a log line: the internal reason. */
  log?: { level: 'warn' | 'error'; text: string };
}

/** Codes a handler may choose itself that are safe to show; Tributary's INTERNAL is not. */
const CLIENT_SAFE_CODE = /^[A-Z][A-Z0-9_]{0,63}$/;

/**
 * Map what `RpcClient.call` threw to an HTTP answer:
 * request validation 400 (violations named), unknown method 501, deadline 504, unavailable or
 * client closed 503, a remote error 502 with a fixed message (or the status `remoteErrorStatus`
 * gives its code, with the handler's message), an invalid response 502, anything else 500.
 */
export function mapRpcErrorToHttp(error: unknown, route: GatewayRoute, timeoutMs: number, remoteErrorStatus: Record<string, number>): GatewayErrorMapping {
  const target = `${route.service}/${route.rpcMethod}`;
  if (error instanceof RpcValidationException) {
    if (error.direction === 'request') {
      const fields = error.violations.map((v) => v.property).join(', ');
      return {
        exception: gatewayHttpError(400, `Invalid request: ${fields || 'the payload'} broke its rules`, {
          code: RpcErrorCodes.VALIDATION_FAILED,
          violations: error.violations,
        }),
      };
    }
    return {
      exception: gatewayHttpError(502, `The ${route.service} service sent an invalid response`, { code: 'INVALID_RESPONSE' }),
      log: { level: 'warn', text: `${target}: invalid response (checked by the ${error.side}): ${error.violations.map((v) => v.property).join(', ')}` },
    };
  }
  if (error instanceof RpcUnknownMethodException) {
    return {
      exception: gatewayHttpError(501, `The ${route.service} service does not implement ${route.rpcMethod}`, { code: RpcErrorCodes.UNKNOWN_METHOD }),
      log: { level: 'warn', text: `${target}: the service has no handler for this method (route ${route.method} ${route.path})` },
    };
  }
  if (error instanceof RpcDeadlineExceededException) {
    return { exception: gatewayHttpError(504, `No answer from the ${route.service} service within ${timeoutMs} ms`, { code: RpcErrorCodes.DEADLINE_EXCEEDED }) };
  }
  if (error instanceof RpcUnavailableException) {
    return {
      exception: gatewayHttpError(503, `The ${route.service} service is unavailable; try again later`, { code: RpcErrorCodes.UNAVAILABLE }),
      log: { level: 'warn', text: `${target}: unavailable: ${error.message}` },
    };
  }
  if (error instanceof RpcClientClosedException) {
    return { exception: gatewayHttpError(503, 'The gateway is shutting down; try again', { code: RpcErrorCodes.CLIENT_CLOSED }) };
  }
  if (error instanceof RpcRemoteException) {
    const status = remoteErrorStatus[error.code];
    if (status !== undefined) return { exception: gatewayHttpError(status, error.message, { code: error.code }) };
    const code = error.code !== RpcErrorCodes.INTERNAL && CLIENT_SAFE_CODE.test(error.code) ? error.code : undefined;
    return {
      exception: gatewayHttpError(502, `The ${route.service} service failed to handle the request`, code ? { code } : {}),
      log: { level: 'warn', text: `${target}: remote error ${error.code}: ${error.message}` },
    };
  }
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return {
    exception: gatewayHttpError(500, 'The gateway could not handle the request'),
    log: { level: 'error', text: `${target}: ${text}` },
  };
}
