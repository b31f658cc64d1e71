/**
 * The metric names Tributary's libs register (the catalogue every lib, alert and dashboard agrees
 * on), plus the prom-client default process metrics the dashboard reads. The ops spec checks the
 * alert rules and the Grafana dashboard against this list; the Prometheus e2e test looks these
 * names up in a real Prometheus.
 */
export type CatalogueMetricType = 'counter' | 'gauge' | 'histogram';

export interface CatalogueMetric {
  /** Metric name as registered (a histogram's series add `_bucket`, `_sum`, `_count`). */
  name: string;
  type: CatalogueMetricType;
  /** Label names the lib sets; all bounded (never ids, keys, offsets or payloads). */
  labels: readonly string[];
}

const TABLE = ['table'] as const;
const RPC = ['rpc_service', 'rpc_method', 'outcome'] as const;

/** Everything Tributary's libs register, by lib. */
export const TRIBUTARY_METRICS: readonly CatalogueMetric[] = [
  // outbox
  { name: 'tributary_outbox_pending_rows', type: 'gauge', labels: TABLE },
  { name: 'tributary_outbox_oldest_pending_age_seconds', type: 'gauge', labels: TABLE },
  { name: 'tributary_outbox_retrying_rows', type: 'gauge', labels: TABLE },
  { name: 'tributary_outbox_dead_rows', type: 'gauge', labels: TABLE },
  { name: 'tributary_outbox_events_shipped_total', type: 'counter', labels: ['table', 'messaging_destination_name'] },
  { name: 'tributary_outbox_commit_to_ack_seconds', type: 'histogram', labels: TABLE },
  { name: 'tributary_outbox_relay_batch_size', type: 'histogram', labels: TABLE },
  { name: 'tributary_outbox_relay_send_duration_seconds', type: 'histogram', labels: TABLE },
  { name: 'tributary_outbox_send_failures_total', type: 'counter', labels: ['table', 'reason'] },
  { name: 'tributary_outbox_relay_outages_total', type: 'counter', labels: ['table', 'kind'] },
  // projections
  { name: 'tributary_projection_events_applied_total', type: 'counter', labels: ['projection', 'event_type'] },
  { name: 'tributary_projection_handler_duration_seconds', type: 'histogram', labels: ['projection', 'event_type'] },
  {
    name: 'tributary_projection_lag',
    type: 'gauge',
    labels: ['projection', 'messaging_destination_name', 'messaging_destination_partition_id'],
  },
  { name: 'tributary_projection_dead_lettered_total', type: 'counter', labels: ['projection', 'reason'] },
  { name: 'tributary_projection_transaction_conflicts_total', type: 'counter', labels: ['projection', 'reason'] },
  { name: 'tributary_projection_rebuild_progress_ratio', type: 'gauge', labels: ['projection'] },
  { name: 'tributary_projection_state', type: 'gauge', labels: ['projection', 'state'] },
  // rpc
  { name: 'tributary_rpc_client_duration_seconds', type: 'histogram', labels: RPC },
  { name: 'tributary_rpc_server_duration_seconds', type: 'histogram', labels: RPC },
  { name: 'tributary_rpc_client_in_flight', type: 'gauge', labels: ['rpc_service'] },
  { name: 'tributary_rpc_server_expired_total', type: 'counter', labels: ['rpc_service', 'rpc_method'] },
  // kafka / discovery
  { name: 'tributary_kafka_consumer_rebalances_total', type: 'counter', labels: ['messaging_consumer_group_name'] },
  { name: 'tributary_kafka_producer_send_errors_total', type: 'counter', labels: ['service'] },
  { name: 'tributary_discovery_live_instances', type: 'gauge', labels: ['service'] },
];

/** The prom-client default metrics (on by default through TributaryMetrics) that ops files use. */
export const PROCESS_METRICS: readonly CatalogueMetric[] = [
  { name: 'process_cpu_seconds_total', type: 'counter', labels: [] },
  { name: 'process_resident_memory_bytes', type: 'gauge', labels: [] },
  { name: 'process_start_time_seconds', type: 'gauge', labels: [] },
  { name: 'nodejs_heap_size_used_bytes', type: 'gauge', labels: [] },
  { name: 'nodejs_eventloop_lag_p50_seconds', type: 'gauge', labels: [] },
  { name: 'nodejs_eventloop_lag_p99_seconds', type: 'gauge', labels: [] },
  { name: 'nodejs_gc_duration_seconds', type: 'histogram', labels: ['kind'] },
];

/** Labels Prometheus adds to every scraped series. */
export const TARGET_LABELS: readonly string[] = ['job', 'instance'];

/** Every value of `outcome` on the RPC histograms. */
export const RPC_OUTCOMES = ['ok', 'remote_error', 'validation', 'deadline', 'unavailable', 'unknown_method', 'closed'] as const;

/** Series name → the labels it may carry (histograms expand into `_bucket` (+ `le`), `_sum`, `_count`). */
export function catalogueSeries(metrics: readonly CatalogueMetric[] = [...TRIBUTARY_METRICS, ...PROCESS_METRICS]): Map<string, Set<string>> {
  const series = new Map<string, Set<string>>();
  for (const metric of metrics) {
    const labels = [...metric.labels, ...TARGET_LABELS];
    if (metric.type === 'histogram') {
      series.set(`${metric.name}_bucket`, new Set([...labels, 'le']));
      series.set(`${metric.name}_sum`, new Set(labels));
      series.set(`${metric.name}_count`, new Set(labels));
    } else {
      series.set(metric.name, new Set(labels));
    }
  }
  return series;
}
