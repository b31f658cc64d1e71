import { hostname } from 'node:os';
import { defaultInstanceId } from '@tributary/kafka';
import { DEFAULT_REGISTRY_TOPIC, NAME_PATTERN } from './discovery.constants';
import { DiscoveryConfigurationException } from './exceptions/discovery-configuration.exception';
import type { TributaryServiceOptions } from './decorators/tributary-service.decorator';
import type { DiscoveryModuleOptions } from './interfaces/discovery-module-options.interface';
import type { ServiceEndpoint } from './interfaces/service-instance.interface';

/** Discovery options with every default applied and checked. */
export interface ResolvedDiscoveryOptions {
  service: string;
  version: string;
  instanceId: string;
  host: string;
  registryTopic: string;
  registryPartitions: number;
  heartbeatIntervalMs: number;
  ttlMs: number;
  endpoints: ServiceEndpoint[];
  announce: boolean;
}

const KNOWN = new Set([
  'service',
  'version',
  'instanceId',
  'registryTopic',
  'registryPartitions',
  'heartbeatIntervalMs',
  'ttlMs',
  'endpoints',
  'announce',
  'host',
  'isGlobal',
]);

function positiveInt(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new DiscoveryConfigurationException(`\`${name}\` must be a positive integer, got ${JSON.stringify(value)}.`);
  }
  return value;
}

function checkName(what: string, value: string): string {
  if (!NAME_PATTERN.test(value) || value.length > 120) {
    throw new DiscoveryConfigurationException(
      `${what} "${value}" must be letters, digits, ".", "_" or "-" (at most 120 characters), e.g. "inventory".`,
    );
  }
  return value;
}

/** A default instance id (shared with the other libs; re-exported here for existing callers). */
export { defaultInstanceId };

/**
 * Merge `DiscoveryModule` options, the root module's `@TributaryService` and KafkaModule's
 * service name (in that order of precedence), check them and apply defaults.
 */
export function resolveDiscoveryOptions(
  options: DiscoveryModuleOptions,
  decorated: TributaryServiceOptions | undefined,
  kafkaServiceName: string,
): ResolvedDiscoveryOptions {
  const unknown = Object.keys(options ?? {}).filter((k) => !KNOWN.has(k));
  if (unknown.length > 0) {
    throw new DiscoveryConfigurationException(
      `unknown option(s) ${unknown.join(', ')}. Known options: ${[...KNOWN].filter((k) => k !== 'isGlobal').join(', ')}.`,
    );
  }
  const service = checkName('service name', options.service ?? decorated?.name ?? kafkaServiceName);
  const version = options.version ?? decorated?.version ?? '0.0.0';
  if (typeof version !== 'string' || version.length === 0) {
    throw new DiscoveryConfigurationException('`version` must be a non-empty string such as "1.2.0".');
  }
  const host = options.host ?? hostname();
  const instanceId = checkName('instance id', options.instanceId ?? defaultInstanceId(host));
  const heartbeatIntervalMs = positiveInt('heartbeatIntervalMs', options.heartbeatIntervalMs, 5000);
  const ttlMs = positiveInt('ttlMs', options.ttlMs, heartbeatIntervalMs * 3);
  if (ttlMs <= heartbeatIntervalMs) {
    throw new DiscoveryConfigurationException(
      `\`ttlMs\` (${ttlMs}) must be longer than \`heartbeatIntervalMs\` (${heartbeatIntervalMs}), or live instances flicker out; use about three intervals.`,
    );
  }
  const registryTopic = checkName('registryTopic', options.registryTopic ?? DEFAULT_REGISTRY_TOPIC);
  const endpoints = options.endpoints ?? [];
  for (const e of endpoints) {
    if (!e || typeof e.transport !== 'string' || typeof e.host !== 'string' || !Number.isInteger(e.port) || e.port < 1 || e.port > 65535) {
      throw new DiscoveryConfigurationException(
        `endpoint ${JSON.stringify(e)} must be { transport: 'tcp' | 'http' | ..., host: string, port: 1-65535 }.`,
      );
    }
  }
  return {
    service,
    version,
    instanceId,
    host,
    registryTopic,
    registryPartitions: positiveInt('registryPartitions', options.registryPartitions, 1),
    heartbeatIntervalMs,
    ttlMs,
    endpoints: [...endpoints],
    announce: options.announce ?? true,
  };
}
