/** Thrown at bootstrap when discovery options or `@TributaryService` are wrong; the message says what to fix. */
export class DiscoveryConfigurationException extends Error {
  constructor(message: string) {
    super(`Invalid discovery configuration: ${message}`);
    this.name = 'DiscoveryConfigurationException';
  }
}
