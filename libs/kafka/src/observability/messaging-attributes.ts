/**
 * OpenTelemetry messaging semantic-convention names, in one place: span attributes use the
 * dotted names, Prometheus labels the same words with underscores.
 */
export const MessagingAttributes = {
  SYSTEM: 'messaging.system',
  OPERATION_TYPE: 'messaging.operation.type',
  OPERATION_NAME: 'messaging.operation.name',
  DESTINATION_NAME: 'messaging.destination.name',
  DESTINATION_PARTITION_ID: 'messaging.destination.partition.id',
  CONSUMER_GROUP_NAME: 'messaging.consumer.group.name',
  MESSAGE_ID: 'messaging.message.id',
  BATCH_MESSAGE_COUNT: 'messaging.batch.message_count',
  KAFKA_MESSAGE_KEY: 'messaging.kafka.message.key',
  KAFKA_OFFSET: 'messaging.kafka.offset',
  RPC_SYSTEM: 'rpc.system',
  RPC_SERVICE: 'rpc.service',
  RPC_METHOD: 'rpc.method',
  ERROR_TYPE: 'error.type',
} as const;

/** Prometheus label names (bounded values only: never ids, keys, offsets or payloads). */
export const MetricLabels = {
  DESTINATION: 'messaging_destination_name',
  CONSUMER_GROUP: 'messaging_consumer_group_name',
  PARTITION: 'messaging_destination_partition_id',
  SERVICE: 'service',
} as const;

/** `messaging.system` value for every Tributary span. */
export const MESSAGING_SYSTEM_KAFKA = 'kafka';
