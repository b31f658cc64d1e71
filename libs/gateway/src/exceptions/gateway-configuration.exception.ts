/** Gateway options or routes are wrong; the message says what to fix. Thrown when the module is defined or bootstrapped. */
export class GatewayConfigurationException extends Error {
  constructor(message: string) {
    super(`Invalid gateway configuration: ${message}`);
    this.name = 'GatewayConfigurationException';
  }
}
