import { RpcErrorCodes } from '../rpc.constants';
import { RpcException } from './rpc.exception';

/** No reply came before the call's deadline (the server may have dropped the expired request). */
export class RpcDeadlineExceededException extends RpcException {
  constructor(
    readonly method: string,
    readonly timeoutMs: number,
  ) {
    super(RpcErrorCodes.DEADLINE_EXCEEDED, `"${method}" got no reply within ${timeoutMs} ms`, { timeoutMs });
    this.name = 'RpcDeadlineExceededException';
  }
}
