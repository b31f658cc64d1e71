import type { Type } from '@nestjs/common';
import { InvalidIntegrationEventException, materializeIntegrationEvent } from '@tributary/kafka';
import { RpcValidationException } from '../exceptions/rpc-validation.exception';

/**
 * Build an instance of `target` from plain data and check its class-validator rules. Throws
 * `RpcValidationException` saying which side and direction failed.
 */
export function materializeRpcPayload<T extends object>(
  target: Type<T>,
  data: unknown,
  where: { method: string; side: 'client' | 'server'; direction: 'request' | 'response' },
): T {
  try {
    // The event helper does exactly what an RPC payload needs: plainToInstance + validateSync.
    return materializeIntegrationEvent(target, data);
  } catch (e) {
    if (e instanceof InvalidIntegrationEventException) {
      const violations = e.violations.length > 0 ? e.violations : [{ property: '(payload)', constraints: ['must be a JSON object'] }];
      throw new RpcValidationException(where.method, where.side, where.direction, violations);
    }
    throw e;
  }
}

/** A JSON-safe copy of a DTO (instances lose their class; Dates become ISO strings). */
export function toJsonValue(value: unknown): unknown {
  if (value === undefined) return null;
  return JSON.parse(JSON.stringify(value)) as unknown;
}
