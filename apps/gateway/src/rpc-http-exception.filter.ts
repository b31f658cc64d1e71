import { HttpAdapterHost } from '@nestjs/core';
import { ArgumentsHost, Catch, HttpStatus, Logger, type ExceptionFilter } from '@nestjs/common';
import {
  RpcClientClosedException,
  RpcDeadlineExceededException,
  RpcException,
  RpcRemoteException,
  RpcUnavailableException,
  RpcUnknownMethodException,
  RpcValidationException,
} from '@tributary/rpc';

/**
 * Typed RPC errors as HTTP answers: validation 400 (with the violations), unknown method 501,
 * deadline 504, unavailable or closed 503, a remote error 502 with its code only (the remote
 * message may hold internals; it is logged, not returned). `@tributary/gateway` does this for its
 * declarative routes; this filter serves the hand-written controller.
 */
@Catch(RpcException)
export class RpcHttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('gateway');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(error: RpcException, host: ArgumentsHost): void {
    // Through the adapter, so the filter works on Express and Fastify alike.
    const adapter = this.adapterHost.httpAdapter;
    const [status, body] = this.map(error);
    adapter.reply(host.switchToHttp().getResponse(), { statusCode: status, ...body }, status);
  }

  private map(error: RpcException): [number, Record<string, unknown>] {
    if (error instanceof RpcValidationException) {
      return [HttpStatus.BAD_REQUEST, { error: 'Bad Request', message: error.message, violations: error.violations }];
    }
    if (error instanceof RpcUnknownMethodException) return [HttpStatus.NOT_IMPLEMENTED, { error: 'Not Implemented', message: error.message }];
    if (error instanceof RpcDeadlineExceededException) return [HttpStatus.GATEWAY_TIMEOUT, { error: 'Gateway Timeout', message: error.message }];
    if (error instanceof RpcUnavailableException || error instanceof RpcClientClosedException) {
      return [HttpStatus.SERVICE_UNAVAILABLE, { error: 'Service Unavailable', message: error.message }];
    }
    if (error instanceof RpcRemoteException) {
      this.logger.warn(`remote error ${error.code}: ${error.message}`);
      return [HttpStatus.BAD_GATEWAY, { error: 'Bad Gateway', code: error.code, message: `the service answered ${error.code}` }];
    }
    return [HttpStatus.BAD_GATEWAY, { error: 'Bad Gateway', code: error.code, message: `the call failed with ${error.code}` }];
  }
}
