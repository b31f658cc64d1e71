import { RpcException } from './rpc.exception';

/** The remote handler failed; `code`, `message` and `details` are what it returned. */
export class RpcRemoteException extends RpcException {
  constructor(
    readonly service: string,
    readonly method: string,
    code: string,
    message: string,
    details?: unknown,
  ) {
    super(code, message, details);
    this.name = 'RpcRemoteException';
  }
}
