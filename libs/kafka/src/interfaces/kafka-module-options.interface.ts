import type { KafkaConfig, SASLOptions } from 'kafkajs';
import type { ConnectionOptions } from 'node:tls';
import type { Registry } from 'prom-client';

/** Where Tributary's Prometheus metrics go. */
export interface TributaryMetricsOptions {
  /**
   * prom-client registry to register on. The default is prom-client's global registry, which
   * `@willsoto/nestjs-prometheus` serves too.
   * @default prom-client's global `register`
   */
  registry?: Registry;
  /** Register Tributary's metrics on the registry at all. @default true */
  enabled?: boolean;
  /** Also collect prom-client's default process metrics (CPU, memory, event loop, GC) on it. @default true */
  defaultMetrics?: boolean;
}

export type KafkaLogLevel = 'nothing' | 'error' | 'warn' | 'info' | 'debug';

/** Options of `KafkaModule.forRoot` / `forRootAsync`. */
export interface KafkaModuleOptions {
  /**
   * Bootstrap brokers: an array of `host:port`, or one comma-separated string
   * (as found in a `KAFKA_BROKERS` environment variable).
   */
  brokers: string[] | string;
  /**
   * Name of this service. Written into the `tributary-source` header and used as the default
   * client id and consumer group prefix.
   */
  serviceName: string;
  /**
   * kafkajs client id.
   * @default serviceName
   */
  clientId?: string;
  /** TLS options, passed through to kafkajs. `true` uses the system CAs. @default undefined (plaintext) */
  ssl?: boolean | ConnectionOptions;
  /** SASL mechanism and credentials, passed through to kafkajs. @default undefined */
  sasl?: SASLOptions;
  /** Time to open one TCP connection to a broker, in ms. @default 3000 */
  connectionTimeout?: number;
  /** Time to wait for a broker's answer to one request, in ms. @default 30000 */
  requestTimeout?: number;
  /**
   * Upper bound for connecting at start-up (producer, admin). Past it the app fails to start
   * with `KafkaConnectionException` instead of retrying forever.
   * @default 15000
   */
  connectTimeoutMs?: number;
  /** kafkajs retry policy for requests. @default { retries: 5, initialRetryTime: 100 } */
  retry?: KafkaConfig['retry'];
  /** Verbosity of kafkajs' own logs, routed through Nest's Logger. @default 'warn' */
  logLevel?: KafkaLogLevel;
  /**
   * Connect the shared producer during bootstrap (fail fast when the broker is unreachable).
   * When false it connects on first use.
   * @default true
   */
  connectOnBootstrap?: boolean;
  /** Prometheus metrics of every Tributary lib in this app. @default { enabled: true, defaultMetrics: true } on the global registry */
  metrics?: TributaryMetricsOptions;
  /**
   * An operation slower than this (projection handler, RPC handler, relay batch) is logged once
   * at `warn` with its name and duration, never its payload. 0 turns the log off; each lib may
   * override it.
   * @default 1000
   */
  slowOperationThresholdMs?: number;
}
