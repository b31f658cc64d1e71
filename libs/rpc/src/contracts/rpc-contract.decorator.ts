import type { Type } from '@nestjs/common';
import { isTributaryName } from '@tributary/kafka';

const CONTRACT_METADATA = Symbol.for('tributary:rpc-contract');

/**
 * Base of request DTOs: carries the response type for the compiler only (nothing at runtime), so
 * `client.call(ReserveStock, dto)` is typed `Promise<ReserveResult>`.
 */
export abstract class RpcRequest<TResponse = unknown> {
  /** Type-level link to the response; never set. */
  declare readonly __rpcResponse?: TResponse;
}

/** The response type of a request DTO class. */
export type RpcResponseOf<C> = C extends RpcRequest<infer R> ? R : unknown;

/** What a caller passes: an instance of the request class or a plain object with its fields. */
export type RpcRequestData<C> = Omit<C, '__rpcResponse'>;

/** Options of `@RpcContract`. */
export interface RpcContractOptions {
  /** Method name, unique across the system, e.g. `inventory.reserve`. */
  method: string;
  /** Service that answers it, e.g. `inventory`. */
  service: string;
  /** Class of the response (validated with its class-validator rules on both sides). @default no response validation */
  response?: Type<unknown>;
  /** Safe to run twice: the direct transport may retry it on another instance. @default false */
  idempotent?: boolean;
}

/** Metadata stored by `@RpcContract`. */
export interface RpcContractMetadata extends RpcContractOptions {
  request: Type<unknown>;
  idempotent: boolean;
}

/**
 * Makes a request DTO a contract: method, owning service and response class in one place, shared
 * by server and callers.
 *
 * ```ts
 * @RpcContract({ method: 'inventory.reserve', service: 'inventory', response: ReserveResult })
 * export class ReserveStock extends RpcRequest<ReserveResult> {
 *   @IsString() sku!: string;
 *   @IsInt() @Min(1) quantity!: number;
 * }
 * ```
 */
export function RpcContract(options: RpcContractOptions): ClassDecorator {
  return (target) => {
    if (!options || !isTributaryName(options.method)) {
      throw new TypeError(`@RpcContract on ${target.name}: \`method\` must be a name like "inventory.reserve"`);
    }
    if (!isTributaryName(options.service)) {
      throw new TypeError(`@RpcContract on ${target.name}: \`service\` must be a service name like "inventory"`);
    }
    if (options.response !== undefined && typeof options.response !== 'function') {
      throw new TypeError(`@RpcContract on ${target.name}: \`response\` must be a class`);
    }
    const metadata: RpcContractMetadata = {
      ...options,
      idempotent: options.idempotent ?? false,
      request: target as unknown as Type<unknown>,
    };
    Reflect.defineMetadata(CONTRACT_METADATA, metadata, target);
  };
}

/** The contract of a request class, or undefined when it has no `@RpcContract`. */
export function getRpcContract(target: unknown): RpcContractMetadata | undefined {
  return typeof target === 'function' ? (Reflect.getMetadata(CONTRACT_METADATA, target) as RpcContractMetadata | undefined) : undefined;
}
