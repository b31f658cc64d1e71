import { Inject, type Type } from '@nestjs/common';

const tokens = new WeakMap<Type<object>, symbol>();

/** Injection token of the `ConfigHandle` of a `@DynamicConfig` class. */
export function configHandleToken(config: Type<object>): symbol {
  let token = tokens.get(config);
  if (!token) {
    token = Symbol(`tributary:config:${config.name}`);
    tokens.set(config, token);
  }
  return token;
}

/**
 * Injects a live `ConfigHandle<T>` (`get()`, `watch()`) of a class listed in
 * `DynamicConfigModule.forRoot({ configs })` or `DynamicConfigModule.forFeature([...])`.
 *
 * ```ts
 * constructor(@InjectConfig(OrderLimits) private readonly limits: ConfigHandle<OrderLimits>) {}
 * ```
 */
export const InjectConfig = (config: Type<object>): ParameterDecorator & PropertyDecorator => Inject(configHandleToken(config));
