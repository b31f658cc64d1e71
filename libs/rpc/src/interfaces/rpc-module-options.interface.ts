/** Kafka acknowledgement of RPC requests and replies: `1` (partition leader) or `-1` (all in-sync replicas). */
export type RpcAcks = 1 | -1;

/** A client to register: a service name (over Kafka) or a service with its transport. */
export type RpcClientSpec = string | RpcClientOptions;

/** Options of one RPC client. */
export interface RpcClientOptions {
  /** Service called, e.g. `inventory`. */
  service: string;
  /**
   * `kafka`: requests on the service's request topic. `tcp`: straight to an instance's TCP address
   * found in the registry (needs DiscoveryModule), balanced round robin.
   * @default 'kafka'
   */
  transport?: 'kafka' | 'tcp';
  /** Default timeout of this client's calls, ms. @default RpcModule's defaultTimeoutMs */
  timeoutMs?: number;
}

/** Direct TCP server of this instance (Nest TCP transport). */
export interface RpcTcpServerOptions {
  /** Port to listen on; 0 picks a free one. @default 0 */
  port?: number;
  /** Interface to listen on. @default '127.0.0.1' */
  host?: string;
  /** Host announced in the registry for callers. @default host */
  advertisedHost?: string;
}

/** Options of `RpcModule.forRoot` / `forRootAsync`. */
export interface RpcModuleOptions {
  /** Clients to register for `@InjectRpcClient(service)`. @default [] */
  clients?: RpcClientSpec[];
  /** Name under which this app serves its `@RpcHandler`s. @default KafkaModule's serviceName */
  service?: string;
  /** Timeout of a call when none is given, ms. @default 5000 */
  defaultTimeoutMs?: number;
  /** Topic prefix: requests on `<prefix>.<service>`, replies on `<prefix>.replies.<service>.<instance>`. @default 'tributary.rpc' */
  topicPrefix?: string;
  /** Partitions of request topics this app creates (the most server instances that share load). @default 6 */
  requestPartitions?: number;
  /**
   * Acknowledgement a caller waits for when it sends a request, and a server when it sends a reply
   * (kafkajs `acks`): `1` once the partition leader has written it, `-1` once every in-sync replica
   * has. A request or reply lost with a failed leader ends in the caller's deadline either way;
   * `-1` narrows that window at the price of a replication round trip per message.
   * @default 1
   */
  acks?: RpcAcks;
  /**
   * Session timeout of the server's consumer, ms: how long a crashed instance keeps its partitions
   * before the others take over. The broker's `group.min.session.timeout.ms` (6000) is the floor.
   * @default 10000
   */
  sessionTimeoutMs?: number;
  /** Also serve the handlers over Nest TCP and announce the address in the registry. @default undefined (Kafka only) */
  tcp?: RpcTcpServerOptions;
  /** How long a TCP instance that failed is skipped by callers, ms. @default 5000 */
  tcpFailureCooldownMs?: number;
  /**
   * A request whose handling (validation, guards, handler, response check) takes longer than this,
   * ms, is logged once at `warn` with service, method and duration, never the request. 0 turns it off.
   * @default KafkaModule's slowOperationThresholdMs (1000)
   */
  slowHandlerThresholdMs?: number;
}
