import type { ServiceEndpoint } from './service-instance.interface';

/** Options of `DiscoveryModule.forRoot` / `forRootAsync`. */
export interface DiscoveryModuleOptions {
  /**
   * Name of this service. Wins over `@TributaryService` on the root module.
   * @default the `@TributaryService` name, else KafkaModule's `serviceName`
   */
  service?: string;
  /** Version of this service. @default the `@TributaryService` version, else '0.0.0' */
  version?: string;
  /**
   * Id of this instance, unique among the running instances of the service: its registry key and
   * the name of its RPC reply topic. Set a stable one for replicas with stable names (StatefulSet
   * pods); a restart with the same id can call and be found at once. See the README.
   * @default `<host>-<pid>-<random>` (new at every start)
   */
  instanceId?: string;
  /** Compacted registry topic. @default 'tributary.registry' */
  registryTopic?: string;
  /** Partitions of the registry topic when this instance creates it. @default 1 */
  registryPartitions?: number;
  /** How often the instance re-announces itself, ms. @default 5000 */
  heartbeatIntervalMs?: number;
  /**
   * Readers drop this instance when no heartbeat came for this long, ms. Must exceed
   * `heartbeatIntervalMs` (three heartbeats is a good margin).
   * @default 3 * heartbeatIntervalMs
   */
  ttlMs?: number;
  /** Direct addresses to announce (more can be added at runtime with `ServiceRegistry.addEndpoint`). @default [] */
  endpoints?: ServiceEndpoint[];
  /** Announce this instance in the registry. Set false for read-only clients (tools, dashboards). @default true */
  announce?: boolean;
  /** Host name written in the record. @default os.hostname() */
  host?: string;
}
