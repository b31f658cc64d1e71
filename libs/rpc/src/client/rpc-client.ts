import type { Type } from '@nestjs/common';
import { getRpcContract, type RpcContractMetadata, type RpcRequest, type RpcRequestData, type RpcResponseOf } from '../contracts/rpc-contract.decorator';
import { materializeRpcPayload } from '../contracts/rpc-validation';
import { fromRpcErrorBody } from '../errors/rpc-error.codec';
import { RpcConfigurationException } from '../exceptions/rpc-configuration.exception';
import type { RpcObserver } from '../observability/rpc-observer';
import type { RpcClientTransport } from './rpc-client-transport';

/** Options of one call. */
export interface RpcCallOptions {
  /** Give up after this long, ms; the deadline travels with the request. @default the client's timeoutMs */
  timeout?: number;
  /** Extra headers for the handler (`RpcContext.headers`). @default {} */
  headers?: Record<string, string>;
  /** Safe to run twice (the direct transport may retry on another instance). @default the contract's `idempotent` */
  idempotent?: boolean;
}

/**
 * Calls one service. Inject it with `@InjectRpcClient('inventory')`.
 *
 * ```ts
 * const result = await inventory.call(ReserveStock, { sku: 'A-1', quantity: 2 }, { timeout: 2000 });
 * ```
 *
 * Rejects with `RpcValidationException` (request or response invalid, on either side),
 * `RpcRemoteException` (the handler's typed error), `RpcUnknownMethodException`,
 * `RpcDeadlineExceededException`, `RpcUnavailableException` or `RpcClientClosedException`.
 */
export class RpcClient {
  constructor(
    /** Service this client calls. */
    readonly service: string,
    private readonly transport: RpcClientTransport,
    private readonly defaultTimeoutMs: number,
    /** Records metrics and spans of each call (none when omitted). */
    private readonly observer?: RpcObserver,
  ) {}

  /** Call a contract: the request is validated before it leaves, the response before it is returned. */
  call<C extends RpcRequest<unknown>>(contract: Type<C>, request: RpcRequestData<C> | C, options?: RpcCallOptions): Promise<RpcResponseOf<C>>;
  /** Call a method by name with a JSON payload (no validation). */
  call<R = unknown>(method: string, payload: unknown, options?: RpcCallOptions): Promise<R>;
  async call(target: string | Type<unknown>, request: unknown, options: RpcCallOptions = {}): Promise<unknown> {
    const timeoutMs = options.timeout ?? this.defaultTimeoutMs;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new RpcConfigurationException(`the call timeout must be a positive number of ms, got ${JSON.stringify(options.timeout)}`);
    }
    let method: string;
    let contract: ReturnType<typeof getRpcContract>;
    if (typeof target === 'string') {
      method = target;
    } else {
      contract = getRpcContract(target);
      if (!contract) {
        throw new RpcConfigurationException(`${target?.name} is not an RPC contract: decorate it with @RpcContract({ method, service, response })`);
      }
      if (contract.service !== this.service) {
        throw new RpcConfigurationException(
          `${target.name} ("${contract.method}") belongs to service "${contract.service}" but was called through the client of "${this.service}"`,
        );
      }
      method = contract.method;
    }
    // Observed from here on: a request the caller's own validation rejects counts as a call too.
    const observation = this.observer?.clientCall(this.service, method, this.transport.spanAttributes(this.service));
    try {
      const result = await this.send(method, contract, target, request, timeoutMs, options, observation?.traceparent);
      observation?.end();
      return result;
    } catch (e) {
      observation?.end(e);
      throw e;
    }
  }

  private async send(
    method: string,
    contract: RpcContractMetadata | undefined,
    target: string | Type<unknown>,
    request: unknown,
    timeoutMs: number,
    options: RpcCallOptions,
    traceparent: string | undefined,
  ): Promise<unknown> {
    let payload: unknown = request === undefined ? null : request;
    if (contract) {
      // plainToInstance copies plain objects and instances alike; JSON encoding happens once, in the transport.
      payload = materializeRpcPayload(target as Type<object>, request, { method, side: 'client', direction: 'request' });
    }
    const reply = await this.transport.send({
      service: this.service,
      method,
      payload,
      deadline: Date.now() + timeoutMs,
      timeoutMs,
      idempotent: options.idempotent ?? contract?.idempotent ?? false,
      headers: options.headers ?? {},
      traceparent,
    });
    if (!reply.ok) throw fromRpcErrorBody(reply.error, this.service, method);
    const response = contract?.response;
    if (!response) return reply.result;
    return materializeRpcPayload(response as Type<object>, reply.result, { method, side: 'client', direction: 'response' });
  }
}
