import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { Attributes } from '@opentelemetry/api';
import { HandlerExplorer } from '@tributary/discovery';
import { materializeRpcPayload, toJsonValue } from '../contracts/rpc-validation';
import { RpcHandlerDiscovery, type RpcHandlerMetadata } from '../decorators/rpc-handler.decorator';
import { toRpcErrorBody, type RpcReply } from '../errors/rpc-error.codec';
import { RpcUnknownMethodException } from '../exceptions/rpc-unknown-method.exception';
import { RpcValidationException } from '../exceptions/rpc-validation.exception';
import { RPC_UNSERVED_METHOD } from '../observability/rpc-metrics';
import { RpcObserver, type RpcHandled } from '../observability/rpc-observer';
import { RpcContext } from '../rpc-context';
import { RpcParamtype, RPC_ARGS_METADATA } from '../rpc.constants';
import { RpcSettings } from '../rpc-settings';
import { RpcParamsFactory } from './rpc-params.factory';

interface BoundHandler {
  meta: RpcHandlerMetadata;
  invoke: (payload: unknown, context: RpcContext) => Promise<unknown>;
}

/** A request as every transport hands it over. */
export interface IncomingRpcRequest {
  method: string;
  /** The decoded JSON payload. */
  payload: unknown;
  correlationId: string;
  /** When the caller gives up, on this server's clock (receipt time plus the budget it sent). */
  deadline: number;
  transport: string;
  headers: Record<string, string>;
  /** W3C trace context sent by the caller: parent of the SERVER span. */
  traceparent?: string;
  /** Transport span attributes of the SERVER span (messaging.* on Kafka). */
  spanAttributes?: Attributes;
  /** Why the transport could not decode the payload; answered as a server-side validation error. */
  undecodable?: string;
}

/**
 * Transport-independent serving: finds the `@RpcHandler`s at bootstrap and turns a request into a
 * reply (unknown method, request validation, guards/pipes/interceptors/filters, response validation,
 * typed errors). Returns undefined for a request whose deadline passed: nobody waits for it.
 */
@Injectable()
export class RpcDispatcher implements OnModuleInit {
  private readonly logger = new Logger(RpcDispatcher.name);
  private readonly handlers = new Map<string, BoundHandler>();
  private readonly paramsFactory = new RpcParamsFactory();

  constructor(
    private readonly explorer: HandlerExplorer,
    private readonly settings: RpcSettings,
    private readonly observer: RpcObserver,
  ) {}

  onModuleInit(): void {
    if (this.handlers.size > 0) return;
    const found = this.explorer.explore(RpcHandlerDiscovery, { kind: 'RPC handler', id: (m) => m.method });
    for (const handler of found) {
      ensureDefaultParams(handler.classRef.prototype as object, handler.methodName);
      const invoke = this.explorer.bind(handler, {
        contextType: 'rpc',
        paramsMetadataKey: RPC_ARGS_METADATA,
        paramsFactory: this.paramsFactory,
      });
      this.handlers.set(handler.meta.method, { meta: handler.meta, invoke: (payload, context) => invoke(payload, context) });
      this.logger.log(`serving ${handler.meta.method} with ${handler.name}`);
    }
  }

  /** Methods this app answers. */
  methods(): string[] {
    return [...this.handlers.keys()].sort();
  }

  /** Serve one request, inside its SERVER span, with metrics and the slow-handler log. */
  async dispatch(request: IncomingRpcRequest): Promise<RpcReply | undefined> {
    const handler = this.handlers.get(request.method);
    const methodLabel = handler ? request.method : RPC_UNSERVED_METHOD;
    if (request.deadline <= Date.now()) {
      this.observer.expired(methodLabel);
      return undefined;
    }
    return this.observer.serve(
      { method: request.method, methodLabel, deadline: request.deadline, traceparent: request.traceparent, spanAttributes: request.spanAttributes },
      () => this.handle(request, handler),
    );
  }

  private async handle(request: IncomingRpcRequest, handler: BoundHandler | undefined): Promise<RpcHandled> {
    try {
      if (request.undecodable !== undefined) {
        throw new RpcValidationException(request.method, 'server', 'request', [{ property: '(payload)', constraints: [request.undecodable] }]);
      }
      if (!handler) throw new RpcUnknownMethodException(this.settings.value.service, request.method);
      const { request: requestClass, response: responseClass } = handler.meta;
      const payload = requestClass
        ? materializeRpcPayload(requestClass as new () => object, request.payload, { method: request.method, side: 'server', direction: 'request' })
        : request.payload;
      const context = new RpcContext(request.method, request.correlationId, request.deadline, request.transport, request.headers);
      // The JSON form is what the caller will see, so that is what gets validated.
      const result = toJsonValue(await handler.invoke(payload, context));
      if (responseClass) {
        materializeRpcPayload(responseClass as new () => object, result, { method: request.method, side: 'server', direction: 'response' });
      }
      return { reply: { ok: true, result } };
    } catch (e) {
      return { reply: { ok: false, error: toRpcErrorBody(e) }, error: e };
    }
  }
}

/**
 * A handler without parameter decorators gets `(payload, context)`: recorded as metadata so that
 * pipes (e.g. ValidationPipe) apply to the payload as they would to a `@Payload()` parameter.
 */
function ensureDefaultParams(prototype: object, methodName: string): void {
  if (Reflect.getMetadata(RPC_ARGS_METADATA, prototype.constructor, methodName)) return;
  Reflect.defineMetadata(
    RPC_ARGS_METADATA,
    {
      [`${RpcParamtype.PAYLOAD}:0`]: { index: 0, data: undefined, pipes: [] },
      [`${RpcParamtype.CONTEXT}:1`]: { index: 1, data: undefined, pipes: [] },
    },
    prototype.constructor,
    methodName,
  );
}
