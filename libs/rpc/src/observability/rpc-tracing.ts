import { context as otelContext, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';
import { contextFromTraceparent, MessagingAttributes, tributaryTracer } from '@tributary/kafka';

/** `rpc.system` of Tributary's RPC spans. */
export const RPC_SYSTEM = 'tributary';

/** Span name of a call: `<service>/<method>`. */
function spanName(service: string, method: string): string {
  return `${service}/${method}`;
}

function rpcAttributes(service: string, method: string, extra: Attributes | undefined): Attributes {
  return {
    [MessagingAttributes.RPC_SYSTEM]: RPC_SYSTEM,
    [MessagingAttributes.RPC_SERVICE]: service,
    [MessagingAttributes.RPC_METHOD]: method,
    ...extra,
  };
}

/** The CLIENT span of a call, child of the active context. A no-op span without an SDK. */
export function startRpcClientSpan(service: string, method: string, extra?: Attributes): Span {
  return tributaryTracer().startSpan(
    spanName(service, method),
    { kind: SpanKind.CLIENT, attributes: rpcAttributes(service, method, extra) },
    otelContext.active(),
  );
}

/**
 * The SERVER span of a request whose caller sent `traceparent`, and the context to run the
 * handler in (so the handler's own spans and calls are its children).
 */
export function startRpcServerSpan(
  service: string,
  method: string,
  traceparent: string | undefined,
  extra?: Attributes,
): { span: Span; context: Context } {
  const parent = contextFromTraceparent(traceparent, otelContext.active());
  const span = tributaryTracer().startSpan(
    spanName(service, method),
    { kind: SpanKind.SERVER, attributes: rpcAttributes(service, method, extra) },
    parent,
  );
  return { span, context: trace.setSpan(parent, span) };
}

/** Why a call failed, as a span shows it: `error.type` (the exception's name) and the status message. */
export interface RpcSpanFailure {
  type: string;
  message: string;
}

/** The span failure of a thrown value. */
export function rpcSpanFailureOf(error: unknown): RpcSpanFailure {
  return error instanceof Error ? { type: error.name, message: error.message } : { type: typeof error, message: String(error) };
}

/** End an RPC span; with a failure, status ERROR and `error.type`. */
export function endRpcSpan(span: Span, failure?: RpcSpanFailure): void {
  if (failure && span.isRecording()) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: failure.message });
    span.setAttribute(MessagingAttributes.ERROR_TYPE, failure.type);
  }
  span.end();
}
