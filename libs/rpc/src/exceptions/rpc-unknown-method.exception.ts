import { RpcErrorCodes } from '../rpc.constants';
import { RpcException } from './rpc.exception';

/** The service that got the request has no `@RpcHandler` for its method. */
export class RpcUnknownMethodException extends RpcException {
  constructor(
    readonly service: string,
    readonly method: string,
  ) {
    super(RpcErrorCodes.UNKNOWN_METHOD, `service "${service}" has no handler for "${method}"`, { service, method });
    this.name = 'RpcUnknownMethodException';
  }
}
