import type { Attributes } from '@opentelemetry/api';
import type { RpcReply } from '../errors/rpc-error.codec';

/** A request as the client hands it to a transport. */
export interface OutgoingRpcRequest {
  service: string;
  method: string;
  /** JSON-safe payload. */
  payload: unknown;
  /** Epoch ms after which the caller gives up. */
  deadline: number;
  /** The call's timeout, for the error message. */
  timeoutMs: number;
  /** Safe to run twice (the direct transport may retry it elsewhere). */
  idempotent: boolean;
  headers: Record<string, string>;
  /** W3C trace context of the call's CLIENT span; the server's SERVER span continues it. */
  traceparent?: string;
}

/** How a request reaches a server and its reply comes back. Rejects with RPC exceptions only. */
export abstract class RpcClientTransport {
  abstract send(request: OutgoingRpcRequest): Promise<RpcReply>;

  /** Span attributes this transport adds to a call's CLIENT span (e.g. `messaging.*`). */
  spanAttributes(_service: string): Attributes | undefined {
    return undefined;
  }
}
