import type { ConsumedEvent, PublishedEvent, ServedMethod } from '@tributary/kafka';

/** A network address where an instance answers directly (Nest TCP, HTTP). */
export interface ServiceEndpoint {
  /** Transport name, e.g. `tcp` or `http`. */
  transport: string;
  host: string;
  port: number;
}

/** One live instance of a service, as announced in the registry. */
export interface ServiceInstance {
  /** Layout version of the record. */
  schema: number;
  service: string;
  /** The instance id: `<host>-<pid>-<random>` unless configured (then stable across restarts). */
  instanceId: string;
  /** Version of the service (`@TributaryService({ version })`). */
  version: string;
  /** Host name of the machine. */
  host: string;
  /** Direct addresses (empty when the instance is reachable through Kafka only). */
  endpoints: ServiceEndpoint[];
  /** RPC methods the instance answers. */
  rpcMethods: string[];
  publishes: PublishedEvent[];
  consumes: ConsumedEvent[];
  serves: ServedMethod[];
  /** ISO-8601 start time. */
  startedAt: string;
  /**
   * Epoch ms of the last heartbeat, on the announcer's clock: informational. Readers judge liveness
   * on their own clock, from when they received the record.
   */
  heartbeatAt: number;
  /** The instance counts as gone when no heartbeat came for this long, ms. */
  ttlMs: number;
}

/** A service in the catalogue: what its live instances publish, consume and serve. */
export interface CatalogueService {
  service: string;
  versions: string[];
  instances: number;
  publishes: PublishedEvent[];
  consumes: ConsumedEvent[];
  serves: ServedMethod[];
}

/** Who publishes and who consumes one event type. */
export interface CatalogueEvent {
  type: string;
  topic: string;
  publishers: string[];
  consumers: Array<{ service: string; consumer: string }>;
}

/** Who serves one RPC method, and over which transports. */
export interface CatalogueMethod {
  method: string;
  services: string[];
  transports: string[];
}

/** The live topology of the system, built from the registry. */
export interface Catalogue {
  services: CatalogueService[];
  events: CatalogueEvent[];
  methods: CatalogueMethod[];
}
