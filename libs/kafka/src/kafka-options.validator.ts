import { KafkaConfigurationException } from './exceptions/kafka-configuration.exception';
import type { KafkaModuleOptions } from './interfaces/kafka-module-options.interface';
import { isTributaryName } from './naming/tributary-name';

const KNOWN_OPTIONS = new Set<string>([
  'brokers',
  'serviceName',
  'clientId',
  'ssl',
  'sasl',
  'connectionTimeout',
  'requestTimeout',
  'connectTimeoutMs',
  'retry',
  'logLevel',
  'connectOnBootstrap',
  'metrics',
  'slowOperationThresholdMs',
  'isGlobal',
]);
const LOG_LEVELS = ['nothing', 'error', 'warn', 'info', 'debug'];
const BROKER = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+):(\d{1,5})$/;

/** Normalised options with every default applied. */
export interface ResolvedKafkaOptions extends Required<Omit<KafkaModuleOptions, 'brokers' | 'ssl' | 'sasl' | 'retry' | 'metrics'>> {
  metrics?: KafkaModuleOptions['metrics'];
  brokers: string[];
  ssl?: KafkaModuleOptions['ssl'];
  sasl?: KafkaModuleOptions['sasl'];
  retry: NonNullable<KafkaModuleOptions['retry']>;
}

/** Parse `host:port[,host:port]` (or an array of them) into a checked list. */
export function parseBrokers(brokers: unknown): string[] {
  const list =
    typeof brokers === 'string'
      ? brokers.split(',').map((b) => b.trim()).filter(Boolean)
      : Array.isArray(brokers)
        ? brokers.map((b) => (typeof b === 'string' ? b.trim() : b))
        : undefined;
  if (!list || list.length === 0) {
    throw new KafkaConfigurationException(
      '`brokers` is empty. Pass at least one "host:port", e.g. brokers: ["127.0.0.1:9092"] or KAFKA_BROKERS=127.0.0.1:9092.',
    );
  }
  for (const broker of list) {
    const match = typeof broker === 'string' ? BROKER.exec(broker) : null;
    const port = match ? Number(match[2]) : NaN;
    if (!match || port < 1 || port > 65535) {
      throw new KafkaConfigurationException(
        `broker ${JSON.stringify(broker)} is not "host:port" with a port from 1 to 65535.`,
      );
    }
  }
  return list as string[];
}

function positiveInt(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new KafkaConfigurationException(`\`${name}\` must be a positive integer (ms), got ${JSON.stringify(value)}.`);
  }
  return value;
}

function nonNegativeInt(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new KafkaConfigurationException(`\`${name}\` must be an integer >= 0 (ms; 0 turns it off), got ${JSON.stringify(value)}.`);
  }
  return value;
}

/** Check options and apply defaults. Throws `KafkaConfigurationException` saying what to fix. */
export function resolveKafkaOptions(options: KafkaModuleOptions): ResolvedKafkaOptions {
  if (!options || typeof options !== 'object') {
    throw new KafkaConfigurationException('KafkaModule.forRoot needs an options object with `brokers` and `serviceName`.');
  }
  const unknown = Object.keys(options).filter((k) => !KNOWN_OPTIONS.has(k));
  if (unknown.length > 0) {
    throw new KafkaConfigurationException(
      `unknown option(s) ${unknown.map((k) => `\`${k}\``).join(', ')}. Known options: ${[...KNOWN_OPTIONS]
        .filter((k) => k !== 'isGlobal')
        .join(', ')}.`,
    );
  }
  if (!isTributaryName(options.serviceName)) {
    throw new KafkaConfigurationException(
      '`serviceName` must be a non-empty name of letters, digits, ".", "_" or "-" (e.g. "orders").',
    );
  }
  const brokers = parseBrokers(options.brokers);
  const logLevel = options.logLevel ?? 'warn';
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new KafkaConfigurationException(`\`logLevel\` must be one of ${LOG_LEVELS.join(', ')}.`);
  }
  return {
    brokers,
    serviceName: options.serviceName,
    clientId: options.clientId ?? options.serviceName,
    ssl: options.ssl,
    sasl: options.sasl,
    connectionTimeout: positiveInt('connectionTimeout', options.connectionTimeout, 3000),
    requestTimeout: positiveInt('requestTimeout', options.requestTimeout, 30000),
    connectTimeoutMs: positiveInt('connectTimeoutMs', options.connectTimeoutMs, 15000),
    retry: options.retry ?? { retries: 5, initialRetryTime: 100 },
    logLevel,
    connectOnBootstrap: options.connectOnBootstrap ?? true,
    metrics: options.metrics,
    slowOperationThresholdMs: nonNegativeInt('slowOperationThresholdMs', options.slowOperationThresholdMs, 1000),
  };
}
