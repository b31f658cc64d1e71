/**
 * Thrown at bootstrap when `KafkaModule` options are wrong. The message names the option and
 * what to change.
 */
export class KafkaConfigurationException extends Error {
  constructor(message: string) {
    super(`Invalid Kafka configuration: ${message}`);
    this.name = 'KafkaConfigurationException';
  }
}
