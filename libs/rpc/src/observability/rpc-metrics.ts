import type { TributaryMetrics } from '@tributary/kafka';
import type { Counter, Gauge, Histogram } from 'prom-client';

/** Label names of the RPC metrics (bounded values: service and method names, outcomes). */
export const RpcMetricLabels = {
  /** The called service (client metrics) or the serving service (server metrics). */
  SERVICE: 'rpc_service',
  /** Method name; on the server, methods it does not serve are labelled `RPC_UNSERVED_METHOD`. */
  METHOD: 'rpc_method',
  /** `RpcOutcome`. */
  OUTCOME: 'outcome',
} as const;

/**
 * `rpc_method` of requests for a method the server does not serve: the name comes from the wire,
 * so it is not used as a label (a caller could make the series unbounded). Not a valid method name.
 */
export const RPC_UNSERVED_METHOD = '(unserved)';

type CallLabels = (typeof RpcMetricLabels)[keyof typeof RpcMetricLabels];
type ServiceLabel = typeof RpcMetricLabels.SERVICE;
type ExpiredLabels = typeof RpcMetricLabels.SERVICE | typeof RpcMetricLabels.METHOD;

/** Bucket bounds of the RPC duration histograms, seconds. */
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** The four RPC metrics, on the app's `TributaryMetrics` registry (shared by every app of the process). */
export interface RpcMetricSet {
  clientDuration: Histogram<CallLabels>;
  serverDuration: Histogram<CallLabels>;
  clientInFlight: Gauge<ServiceLabel>;
  serverExpired: Counter<ExpiredLabels>;
}

export function rpcMetrics(metrics: TributaryMetrics): RpcMetricSet {
  const callLabels = [RpcMetricLabels.SERVICE, RpcMetricLabels.METHOD, RpcMetricLabels.OUTCOME];
  return {
    clientDuration: metrics.histogram({
      name: 'tributary_rpc_client_duration_seconds',
      help: 'RPC calls made by this process, from the call to its result or error, by called service, method and outcome.',
      labelNames: callLabels,
      buckets: DURATION_BUCKETS,
    }),
    serverDuration: metrics.histogram({
      name: 'tributary_rpc_server_duration_seconds',
      help: 'RPC requests handled by this process (validation, guards, handler, response check), by service, method and outcome.',
      labelNames: callLabels,
      buckets: DURATION_BUCKETS,
    }),
    clientInFlight: metrics.gauge({
      name: 'tributary_rpc_client_in_flight',
      help: 'RPC calls of this process waiting for their result, by called service.',
      labelNames: [RpcMetricLabels.SERVICE],
    }),
    serverExpired: metrics.counter({
      name: 'tributary_rpc_server_expired_total',
      help: 'RPC requests dropped unhandled by this process because their deadline had passed when they arrived.',
      labelNames: [RpcMetricLabels.SERVICE, RpcMetricLabels.METHOD],
    }),
  };
}
