import type { Type } from '@nestjs/common';
import { DYNAMIC_CONFIG_METADATA } from '../dynamic-config.constants';

/** Options of `@DynamicConfig`. */
export interface DynamicConfigOptions {
  /**
   * Entry name, unique within its service; the record key is `<service>/<entry>`.
   * Letters, digits, ".", "_" or "-".
   */
  entry: string;
  /**
   * Service that owns the entry. Set it to read another service's entry.
   * @default DynamicConfigModule's `service` (itself KafkaModule's `serviceName` by default)
   */
  service?: string;
}

/**
 * Declares a configuration entry. Properties carry class-validator rules; their initialisers are
 * the defaults used while the entry has no stored value (and after it is deleted).
 *
 * ```ts
 * @DynamicConfig({ entry: 'limits' })
 * export class OrderLimits {
 *   @IsInt() @Min(1) maxItems = 10;
 * }
 * ```
 */
export function DynamicConfig(options: DynamicConfigOptions): ClassDecorator {
  return (target) => {
    Reflect.defineMetadata(DYNAMIC_CONFIG_METADATA, { ...options }, target);
  };
}

/** The `@DynamicConfig` options of a class, if it carries the decorator. */
export function getDynamicConfigOptions(target: Type<object>): DynamicConfigOptions | undefined {
  return Reflect.getOwnMetadata(DYNAMIC_CONFIG_METADATA, target) as DynamicConfigOptions | undefined;
}
