/** `OutboxModule` options are wrong. The message names the option and what to change. */
export class OutboxConfigurationException extends Error {
  constructor(message: string) {
    super(`Invalid outbox configuration: ${message}`);
    this.name = 'OutboxConfigurationException';
  }
}
