import { Injectable, Logger } from '@nestjs/common';
import { context as otelContext, type Attributes } from '@opentelemetry/api';
import { SlowOperationLogger, traceparentOf, TributaryMetrics } from '@tributary/kafka';
import { performance } from 'node:perf_hooks';
import type { RpcReply } from '../errors/rpc-error.codec';
import { RpcSettings } from '../rpc-settings';
import { rpcMetrics, type RpcMetricSet } from './rpc-metrics';
import { rpcOutcomeOf, rpcOutcomeOfCode, type RpcOutcome } from './rpc-outcome';
import { endRpcSpan, rpcSpanFailureOf, startRpcClientSpan, startRpcServerSpan, type RpcSpanFailure } from './rpc-tracing';

/** One call in progress on the client side. */
export interface RpcClientCallObservation {
  /** W3C traceparent to send with the request (the CLIENT span), if any context is active. */
  readonly traceparent: string | undefined;
  /** The call ended: with its result (no argument) or with the error the caller gets. */
  end(error?: unknown): void;
}

/** What the server knows about a request before handling it. */
export interface RpcServedRequest {
  method: string;
  /** `rpc_method` label: the method, or `RPC_UNSERVED_METHOD` for one this app does not serve. */
  methodLabel: string;
  deadline: number;
  traceparent?: string;
  /** Transport span attributes (messaging.* on Kafka). */
  spanAttributes?: Attributes;
}

/** A handled request: the reply, and what was thrown to produce an error reply (for the span). */
export interface RpcHandled {
  reply: RpcReply;
  error?: unknown;
}

const seconds = (startedMs: number) => (performance.now() - startedMs) / 1000;

/**
 * Metrics, spans and the slow-handler log of RPC calls, for every transport: the client records
 * each `RpcClient.call`, the dispatcher each request it serves. Without an OpenTelemetry SDK the
 * spans are no-ops; the metrics cost a label lookup and an observation per call.
 */
@Injectable()
export class RpcObserver {
  private readonly logger = new Logger('RpcServer');
  private readonly metrics: RpcMetricSet;
  private readonly slow: SlowOperationLogger;
  private readonly service: string;

  constructor(metrics: TributaryMetrics, settings: RpcSettings) {
    this.metrics = rpcMetrics(metrics);
    this.slow = new SlowOperationLogger(this.logger, settings.value.slowHandlerThresholdMs);
    this.service = settings.value.service;
  }

  /** Start observing a call to `service`/`method`. */
  clientCall(service: string, method: string, spanAttributes?: Attributes): RpcClientCallObservation {
    const span = startRpcClientSpan(service, method, spanAttributes);
    const inFlight = this.metrics.clientInFlight.labels(service);
    inFlight.inc();
    const started = performance.now();
    let ended = false;
    return {
      traceparent: traceparentOf(span.spanContext()),
      end: (error?: unknown) => {
        if (ended) return;
        ended = true;
        inFlight.dec();
        const outcome: RpcOutcome = error === undefined ? 'ok' : rpcOutcomeOf(error);
        this.metrics.clientDuration.observe({ rpc_service: service, rpc_method: method, outcome }, seconds(started));
        endRpcSpan(span, error === undefined ? undefined : rpcSpanFailureOf(error));
      },
    };
  }

  /** A request dropped unhandled: its deadline had passed when it arrived. */
  expired(methodLabel: string): void {
    this.metrics.serverExpired.inc({ rpc_service: this.service, rpc_method: methodLabel });
  }

  /**
   * Serve one request: `handle` runs inside the SERVER span's context. Records its duration and
   * outcome (`deadline` when the answer came after the caller had given up) and logs it when slow.
   */
  async serve(request: RpcServedRequest, handle: () => Promise<RpcHandled>): Promise<RpcReply> {
    const { span, context } = startRpcServerSpan(this.service, request.method, request.traceparent, request.spanAttributes);
    const started = performance.now();
    const { reply, error } = await otelContext.with(context, handle);
    const durationMs = performance.now() - started;
    let outcome: RpcOutcome = reply.ok ? 'ok' : rpcOutcomeOfCode(reply.error.code);
    let failure: RpcSpanFailure | undefined;
    if (!reply.ok) failure = error === undefined ? { type: reply.error.code, message: reply.error.message } : rpcSpanFailureOf(error);
    if (request.deadline <= Date.now()) {
      // The caller has given up: it records a deadline, and so does the server.
      outcome = 'deadline';
      failure = { type: 'RpcDeadlineExceededException', message: `"${request.method}" was answered after the caller's deadline` };
    }
    this.metrics.serverDuration.observe({ rpc_service: this.service, rpc_method: request.methodLabel, outcome }, durationMs / 1000);
    this.slow.check(durationMs, () => `RPC handler ${this.service}/${request.methodLabel} (${outcome})`);
    endRpcSpan(span, failure);
    return reply;
  }
}
