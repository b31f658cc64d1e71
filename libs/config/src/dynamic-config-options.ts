import { defaultInstanceId } from '@tributary/kafka';
import { CONFIG_NAME_PATTERN, DEFAULT_CONFIG_TOPIC } from './dynamic-config.constants';
import { DynamicConfigConfigurationException } from './exceptions/dynamic-config-configuration.exception';
import type { DynamicConfigModuleOptions } from './interfaces/dynamic-config-module-options.interface';

/** Options with every default applied and checked. */
export type ResolvedDynamicConfigOptions = Required<DynamicConfigModuleOptions>;

const KNOWN = new Set([
  'topic',
  'partitions',
  'service',
  'instanceId',
  'readyTimeoutMs',
  'maxWaitTimeInMs',
  'allowWritesToOtherServices',
]);

function positiveInt(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new DynamicConfigConfigurationException(`\`${name}\` must be a positive integer, got ${JSON.stringify(value)}.`);
  }
  return value;
}

function checkName(name: string, value: unknown): string {
  if (typeof value !== 'string' || !CONFIG_NAME_PATTERN.test(value) || value.length > 200) {
    throw new DynamicConfigConfigurationException(
      `\`${name}\` is ${JSON.stringify(value)}; use letters, digits, ".", "_" or "-" (at most 200 characters).`,
    );
  }
  return value;
}

/** Check `DynamicConfigModule` options and apply defaults; `kafkaServiceName` is KafkaModule's `serviceName`. */
export function resolveDynamicConfigOptions(options: DynamicConfigModuleOptions, kafkaServiceName: string): ResolvedDynamicConfigOptions {
  const given = options ?? {};
  const unknown = Object.keys(given).filter((k) => !KNOWN.has(k));
  if (unknown.length > 0) {
    throw new DynamicConfigConfigurationException(
      `unknown option(s) ${unknown.map((k) => `\`${k}\``).join(', ')}. Known options: ${[...KNOWN].join(', ')}` +
        ' (`configs` and `isGlobal` go directly in forRoot/forRootAsync, not in a useFactory result).',
    );
  }
  const allow = given.allowWritesToOtherServices ?? false;
  if (typeof allow !== 'boolean') {
    throw new DynamicConfigConfigurationException('`allowWritesToOtherServices` must be true or false.');
  }
  return {
    topic: checkName('topic', given.topic ?? DEFAULT_CONFIG_TOPIC),
    partitions: positiveInt('partitions', given.partitions, 1),
    service: checkName('service', given.service ?? kafkaServiceName),
    instanceId: checkName('instanceId', given.instanceId ?? defaultInstanceId()),
    readyTimeoutMs: positiveInt('readyTimeoutMs', given.readyTimeoutMs, 30_000),
    maxWaitTimeInMs: positiveInt('maxWaitTimeInMs', given.maxWaitTimeInMs, 100),
    allowWritesToOtherServices: allow,
  };
}
