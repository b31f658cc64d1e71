import { RpcConfigurationException } from './exceptions/rpc-configuration.exception';
import type { RpcAcks, RpcClientOptions, RpcModuleOptions, RpcTcpServerOptions } from './interfaces/rpc-module-options.interface';
import { DEFAULT_RPC_TOPIC_PREFIX } from './rpc.constants';
import { isTributaryName } from '@tributary/kafka';

/** RPC options with defaults applied. */
export interface ResolvedRpcOptions {
  service: string;
  clients: Array<Required<Pick<RpcClientOptions, 'service' | 'transport'>> & { timeoutMs: number }>;
  defaultTimeoutMs: number;
  topicPrefix: string;
  requestPartitions: number;
  acks: RpcAcks;
  sessionTimeoutMs: number;
  tcp?: Required<RpcTcpServerOptions>;
  tcpFailureCooldownMs: number;
  slowHandlerThresholdMs: number;
}

const KNOWN = new Set([
  'clients',
  'service',
  'defaultTimeoutMs',
  'topicPrefix',
  'requestPartitions',
  'acks',
  'sessionTimeoutMs',
  'tcp',
  'tcpFailureCooldownMs',
  'slowHandlerThresholdMs',
  'isGlobal',
]);

function positiveInt(name: string, value: unknown, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new RpcConfigurationException(`\`${name}\` must be an integer >= ${min}, got ${JSON.stringify(value)}.`);
  }
  return value;
}

function acks(value: unknown): RpcAcks {
  if (value === undefined) return 1;
  if (value !== 1 && value !== -1) {
    throw new RpcConfigurationException(`\`acks\` must be 1 (partition leader) or -1 (all in-sync replicas), got ${JSON.stringify(value)}.`);
  }
  return value;
}

function name(what: string, value: unknown): string {
  if (!isTributaryName(value)) {
    throw new RpcConfigurationException(`${what} ${JSON.stringify(value)} must be letters, digits, ".", "_" or "-", e.g. "inventory".`);
  }
  return value;
}

/** Normalise one client spec (`'inventory'` or `{ service, transport, timeoutMs }`). */
export function resolveClientSpec(spec: string | RpcClientOptions, defaultTimeoutMs: number): ResolvedRpcOptions['clients'][number] {
  const options = typeof spec === 'string' ? { service: spec } : spec;
  const transport = options?.transport ?? 'kafka';
  if (transport !== 'kafka' && transport !== 'tcp') {
    throw new RpcConfigurationException(`client transport must be 'kafka' or 'tcp', got ${JSON.stringify(transport)}.`);
  }
  return {
    service: name('client service', options?.service),
    transport,
    timeoutMs: positiveInt('timeoutMs', options.timeoutMs, defaultTimeoutMs),
  };
}

/**
 * Check RPC options and apply defaults; throws `RpcConfigurationException` saying what to fix.
 * `kafkaSlowOperationThresholdMs` is KafkaModule's `slowOperationThresholdMs`, the default of
 * `slowHandlerThresholdMs`.
 */
export function resolveRpcOptions(options: RpcModuleOptions, kafkaServiceName: string, kafkaSlowOperationThresholdMs = 1000): ResolvedRpcOptions {
  const unknown = Object.keys(options ?? {}).filter((k) => !KNOWN.has(k));
  if (unknown.length > 0) {
    throw new RpcConfigurationException(
      `unknown option(s) ${unknown.join(', ')}. Known options: ${[...KNOWN].filter((k) => k !== 'isGlobal').join(', ')}.`,
    );
  }
  const defaultTimeoutMs = positiveInt('defaultTimeoutMs', options.defaultTimeoutMs, 5000);
  const clients = (options.clients ?? []).map((c) => resolveClientSpec(c, defaultTimeoutMs));
  let tcp: ResolvedRpcOptions['tcp'];
  if (options.tcp) {
    const host = options.tcp.host ?? '127.0.0.1';
    tcp = {
      port: positiveInt('tcp.port', options.tcp.port, 0, 0),
      host,
      advertisedHost: options.tcp.advertisedHost ?? host,
    };
    if (tcp.port > 65535) throw new RpcConfigurationException('`tcp.port` must be from 0 to 65535.');
  }
  return {
    service: name('service', options.service ?? kafkaServiceName),
    clients,
    defaultTimeoutMs,
    topicPrefix: name('topicPrefix', options.topicPrefix ?? DEFAULT_RPC_TOPIC_PREFIX),
    requestPartitions: positiveInt('requestPartitions', options.requestPartitions, 6),
    acks: acks(options.acks),
    sessionTimeoutMs: positiveInt('sessionTimeoutMs', options.sessionTimeoutMs, 10_000, 6000),
    tcp,
    tcpFailureCooldownMs: positiveInt('tcpFailureCooldownMs', options.tcpFailureCooldownMs, 5000),
    slowHandlerThresholdMs: positiveInt('slowHandlerThresholdMs', options.slowHandlerThresholdMs, kafkaSlowOperationThresholdMs, 0),
  };
}
