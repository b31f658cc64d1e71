import { RpcClientClosedException } from '../exceptions/rpc-client-closed.exception';
import { RpcDeadlineExceededException } from '../exceptions/rpc-deadline-exceeded.exception';
import { RpcUnavailableException } from '../exceptions/rpc-unavailable.exception';
import { RpcUnknownMethodException } from '../exceptions/rpc-unknown-method.exception';
import { RpcValidationException } from '../exceptions/rpc-validation.exception';
import { RpcException } from '../exceptions/rpc.exception';
import { RpcErrorCodes } from '../rpc.constants';

/** How a call ended: the `outcome` label of the RPC metrics. */
export type RpcOutcome = 'ok' | 'remote_error' | 'validation' | 'deadline' | 'unavailable' | 'unknown_method' | 'closed';

/**
 * The outcome of a call that failed with `error`, from the typed exceptions a caller gets.
 * Errors that are not RPC exceptions (e.g. a tcp client without DiscoveryModule) never reached a
 * server: `unavailable`.
 */
export function rpcOutcomeOf(error: unknown): RpcOutcome {
  if (error instanceof RpcValidationException) return 'validation';
  if (error instanceof RpcDeadlineExceededException) return 'deadline';
  if (error instanceof RpcUnavailableException) return 'unavailable';
  if (error instanceof RpcUnknownMethodException) return 'unknown_method';
  if (error instanceof RpcClientClosedException) return 'closed';
  if (error instanceof RpcException) return 'remote_error';
  return 'unavailable';
}

/**
 * The outcome of a reply's error code on the server: the same outcome its caller will record
 * (the codes `fromRpcErrorBody` turns into typed exceptions; any other code is a remote error).
 */
export function rpcOutcomeOfCode(code: string): RpcOutcome {
  switch (code) {
    case RpcErrorCodes.VALIDATION_FAILED:
      return 'validation';
    case RpcErrorCodes.UNKNOWN_METHOD:
      return 'unknown_method';
    case RpcErrorCodes.DEADLINE_EXCEEDED:
      return 'deadline';
    default:
      return 'remote_error';
  }
}
