export * from './kafka-configuration.exception';
export * from './kafka-connection.exception';
export * from './message-decode.exception';
