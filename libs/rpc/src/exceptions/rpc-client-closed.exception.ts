import { RpcErrorCodes } from '../rpc.constants';
import { RpcException } from './rpc.exception';

/** The application is shutting down: pending and new calls are rejected instead of left hanging. */
export class RpcClientClosedException extends RpcException {
  constructor(readonly method: string) {
    super(RpcErrorCodes.CLIENT_CLOSED, `"${method}" was abandoned: the RPC client is shutting down`);
    this.name = 'RpcClientClosedException';
  }
}
