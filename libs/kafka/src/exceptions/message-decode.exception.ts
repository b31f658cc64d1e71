/** Why a Kafka message could not be turned into an event envelope. */
export type MessageDecodeFailure =
  | 'empty-value'
  | 'missing-header'
  | 'invalid-header'
  | 'unsupported-content-type'
  | 'malformed-payload';

/**
 * A message that is not a valid Tributary envelope. Consumers catch it and dead-letter the
 * message instead of crashing.
 */
export class MessageDecodeException extends Error {
  constructor(
    readonly reason: MessageDecodeFailure,
    detail: string,
  ) {
    super(`Cannot decode Kafka message (${reason}): ${detail}`);
    this.name = 'MessageDecodeException';
  }
}
