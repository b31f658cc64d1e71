export * from './kafka-configuration.exception';
export * from './kafka-connection.exception';
export * from './message-decode.exception';
export * from './duplicate-integration-event.exception';
export * from './invalid-integration-event.exception';
