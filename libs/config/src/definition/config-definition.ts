import type { Type } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
import { getDynamicConfigOptions } from '../decorators/dynamic-config.decorator';
import { CONFIG_NAME_PATTERN } from '../dynamic-config.constants';
import { DynamicConfigConfigurationException } from '../exceptions/dynamic-config-configuration.exception';

/** Everything the lib needs to know about one `@DynamicConfig` class. */
export interface ConfigDefinition<T extends object = object> {
  type: Type<T>;
  service: string;
  entry: string;
  /** Record key on the configuration topic: `<service>/<entry>`. */
  key: string;
  /** Properties the class declares: those with an initialiser or a class-validator rule. */
  knownProperties: ReadonlySet<string>;
}

/** Record key of an entry: `<service>/<entry>`. */
export function configKey(service: string, entry: string): string {
  return `${service}/${entry}`;
}

function checkName(what: string, value: unknown, className: string): string {
  if (typeof value !== 'string' || !CONFIG_NAME_PATTERN.test(value) || value.length > 120) {
    throw new DynamicConfigConfigurationException(
      `${what} of ${className} is ${JSON.stringify(value)}; use letters, digits, ".", "_" or "-" (at most 120 characters), e.g. "limits".`,
    );
  }
  return value;
}

/**
 * Read the `@DynamicConfig` metadata of `type` and the properties it declares. `defaultService`
 * owns entries whose decorator names no service. Throws `DynamicConfigConfigurationException`.
 */
export function defineConfig<T extends object>(type: Type<T>, defaultService: string): ConfigDefinition<T> {
  const name = typeof type === 'function' ? type.name || '(anonymous class)' : String(type);
  const options = typeof type === 'function' ? getDynamicConfigOptions(type) : undefined;
  if (!options) {
    throw new DynamicConfigConfigurationException(
      `${name} is not a configuration class: decorate it with @DynamicConfig({ entry: '...' }).`,
    );
  }
  const entry = checkName('entry', options.entry, name);
  const service = checkName('service', options.service ?? defaultService, name);
  let sample: object;
  try {
    sample = new type();
  } catch (e) {
    throw new DynamicConfigConfigurationException(
      `${name} cannot be constructed without arguments (${(e as Error).message}); give it no constructor parameters and put defaults in property initialisers.`,
    );
  }
  const ruled = getMetadataStorage()
    .getTargetValidationMetadatas(type, '', true, false)
    .map((m) => m.propertyName);
  return {
    type,
    service,
    entry,
    key: configKey(service, entry),
    knownProperties: new Set([...Object.keys(sample), ...ruled]),
  };
}
