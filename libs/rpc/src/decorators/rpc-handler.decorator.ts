import type { PipeTransform, Type } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { getRpcContract, type RpcRequest } from '../contracts/rpc-contract.decorator';
import { RpcParamtype, RPC_ARGS_METADATA } from '../rpc.constants';
import { isTributaryName } from '@tributary/kafka';

/** Options of `@RpcHandler` when it is given a method name instead of a contract. */
export interface RpcHandlerOptions {
  /** Request class, validated before the handler runs. @default no validation */
  request?: Type<unknown>;
  /** Response class, validated before the reply is sent. @default no validation */
  response?: Type<unknown>;
}

/** Metadata of a discovered handler. */
export interface RpcHandlerMetadata {
  method: string;
  request?: Type<unknown>;
  response?: Type<unknown>;
}

/** The discoverable decorator behind `@RpcHandler` (found at bootstrap by `HandlerExplorer`). */
export const RpcHandlerDiscovery = DiscoveryService.createDecorator<RpcHandlerMetadata>();

/**
 * Answers an RPC method. Give it a contract class (request/response validated on both sides) or a
 * method name. The method gets the request and an `RpcContext`; guards, pipes, interceptors and
 * exception filters of the class apply.
 *
 * ```ts
 * @RpcHandler(ReserveStock)
 * reserve(request: ReserveStock, context: RpcContext): Promise<ReserveResult> { ... }
 * ```
 */
export function RpcHandler(contract: Type<RpcRequest<unknown>>): MethodDecorator;
export function RpcHandler(method: string, options?: RpcHandlerOptions): MethodDecorator;
export function RpcHandler(target: string | Type<RpcRequest<unknown>>, options: RpcHandlerOptions = {}): MethodDecorator {
  let metadata: RpcHandlerMetadata;
  if (typeof target === 'string') {
    if (!isTributaryName(target)) {
      throw new TypeError(`@RpcHandler("${target}"): the method name must be letters, digits, ".", "_" or "-", e.g. "inventory.reserve"`);
    }
    metadata = { method: target, request: options.request, response: options.response };
  } else {
    const contract = getRpcContract(target);
    if (!contract) {
      throw new TypeError(`@RpcHandler(${target?.name}): the class has no @RpcContract({ method, service }); pass a method name or a contract class`);
    }
    metadata = { method: contract.method, request: contract.request, response: contract.response };
  }
  return RpcHandlerDiscovery(metadata) as MethodDecorator;
}

function rpcParam(type: RpcParamtype) {
  return (data?: string, ...pipes: Array<Type<PipeTransform> | PipeTransform>): ParameterDecorator =>
    (target, key, index) => {
      const args = (Reflect.getMetadata(RPC_ARGS_METADATA, target.constructor, key!) ?? {}) as Record<string, unknown>;
      Reflect.defineMetadata(RPC_ARGS_METADATA, { ...args, [`${type}:${index}`]: { index, data, pipes } }, target.constructor, key!);
    };
}

/**
 * The request (or one of its properties) as a handler parameter, with optional pipes. Without any
 * parameter decorator, the first parameter is the request and the second the context.
 */
export const RpcPayload = rpcParam(RpcParamtype.PAYLOAD);

/** The `RpcContext` as a handler parameter. */
export const RpcCtx = (): ParameterDecorator => rpcParam(RpcParamtype.CONTEXT)();
