/**
 * One broken rule of a configuration value: the property (dotted path for nested objects), the
 * class-validator constraint name (`min`, `isInt`, … or `unknownProperty`) and its message.
 */
export interface ConfigViolation {
  property: string;
  constraint: string;
  message: string;
}

/**
 * A value given to `set` breaks the rules of its `@DynamicConfig` class. Nothing was written:
 * fix the listed properties and set it again.
 */
export class InvalidConfigValueException extends Error {
  constructor(
    /** Record key of the entry, `<service>/<entry>`. */
    readonly key: string,
    readonly violations: ConfigViolation[],
  ) {
    super(
      `Configuration value for "${key}" is invalid and was not written: ` +
        violations.map((v) => `${v.property} (${v.constraint}): ${v.message}`).join('; '),
    );
    this.name = 'InvalidConfigValueException';
  }
}
