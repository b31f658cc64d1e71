/** Thrown at bootstrap when module options or a `@DynamicConfig` class are wrong; the message says what to fix. */
export class DynamicConfigConfigurationException extends Error {
  constructor(message: string) {
    super(`Invalid dynamic configuration setup: ${message}`);
    this.name = 'DynamicConfigConfigurationException';
  }
}
