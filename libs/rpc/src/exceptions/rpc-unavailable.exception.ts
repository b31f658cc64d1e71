import { RpcErrorCodes } from '../rpc.constants';
import { RpcException } from './rpc.exception';

/** The request could not be delivered: no healthy instance, or the transport failed to send it. */
export class RpcUnavailableException extends RpcException {
  constructor(
    readonly service: string,
    readonly method: string,
    reason: string,
  ) {
    super(RpcErrorCodes.UNAVAILABLE, `cannot reach "${service}" for "${method}": ${reason}`, { service, method, reason });
    this.name = 'RpcUnavailableException';
  }
}
