import { HttpException, HttpStatus } from '@nestjs/common';
import type { RpcViolation } from '@tributary/rpc';

/** The JSON body of every error the gateway answers. */
export interface GatewayErrorBody {
  statusCode: number;
  /** HTTP reason phrase, e.g. `Bad Gateway`. */
  error: string;
  /** Safe for clients: never a stack or an internal address. */
  message: string;
  /** RPC error code, e.g. `VALIDATION_FAILED`, `DEADLINE_EXCEEDED`, or a handler's own code. */
  code?: string;
  /** Fields that broke their rules (400 only). */
  violations?: RpcViolation[];
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** An `HttpException` whose response is exactly `GatewayErrorBody` (adapter-neutral: Nest writes it). */
export function gatewayHttpError(status: number, message: string, extra: Pick<GatewayErrorBody, 'code' | 'violations'> = {}): HttpException {
  const body: GatewayErrorBody = { statusCode: status, error: REASONS[status] ?? HttpStatus[status] ?? 'Error', message, ...extra };
  return new HttpException(body, status);
}
