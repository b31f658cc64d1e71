import { RpcErrorCodes } from '../rpc.constants';
import { RpcException } from './rpc.exception';

/** One failed rule, e.g. `{ property: 'quantity', constraints: ['quantity must not be less than 1'] }`. */
export interface RpcViolation {
  property: string;
  constraints: string[];
}

/**
 * A request or response broke its class-validator rules. `side` says who noticed (the caller
 * before sending, or the server), `direction` whether it was the request or the response.
 */
export class RpcValidationException extends RpcException {
  constructor(
    readonly method: string,
    readonly side: 'client' | 'server',
    readonly direction: 'request' | 'response',
    readonly violations: RpcViolation[],
    message?: string,
  ) {
    super(
      RpcErrorCodes.VALIDATION_FAILED,
      message ??
        `${direction === 'request' ? 'Request' : 'Response'} of "${method}" is invalid (checked by the ${side}): ` +
          violations.map((v) => `${v.property}: ${v.constraints.join(', ')}`).join('; '),
      { side, direction, violations },
    );
    this.name = 'RpcValidationException';
  }
}
