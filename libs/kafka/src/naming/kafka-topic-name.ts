/** Characters Kafka allows in a topic name, 1 to 249 of them. */
const KAFKA_TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

/**
 * True when `value` is a legal Kafka topic name: 1-249 characters of `[a-zA-Z0-9._-]`. Looser
 * than `isTributaryName` (a topic may start with `.`, `_` or `-`), because users name topics
 * that other systems share.
 */
export function isKafkaTopicName(value: unknown): value is string {
  return typeof value === 'string' && KAFKA_TOPIC_NAME.test(value);
}
