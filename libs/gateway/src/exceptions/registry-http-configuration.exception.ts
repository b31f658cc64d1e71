/** Options of `RegistryHttpModule` are wrong; the message says what to fix. */
export class RegistryHttpConfigurationException extends Error {
  constructor(message: string) {
    super(`Invalid registry HTTP configuration: ${message}`);
    this.name = 'RegistryHttpConfigurationException';
  }
}
