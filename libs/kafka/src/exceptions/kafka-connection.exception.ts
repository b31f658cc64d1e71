/** The broker could not be reached within the configured bound. */
export class KafkaConnectionException extends Error {
  constructor(
    readonly brokers: string[],
    readonly timeoutMs: number,
    cause?: unknown,
  ) {
    super(
      `Could not connect to Kafka at ${brokers.join(',')} within ${timeoutMs} ms` +
        (cause instanceof Error ? `: ${cause.message}` : '') +
        '. Check that the broker runs and `brokers` is right (npm run kafka:start starts a local one).',
    );
    this.name = 'KafkaConnectionException';
    if (cause !== undefined) (this as { cause?: unknown }).cause = cause;
  }
}
