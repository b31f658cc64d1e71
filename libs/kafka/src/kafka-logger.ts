import { Logger } from '@nestjs/common';
import { logLevel, type logCreator } from 'kafkajs';
import type { KafkaLogLevel } from './interfaces/kafka-module-options.interface';

export const KAFKAJS_LOG_LEVEL: Record<KafkaLogLevel, logLevel> = {
  nothing: logLevel.NOTHING,
  error: logLevel.ERROR,
  warn: logLevel.WARN,
  info: logLevel.INFO,
  debug: logLevel.DEBUG,
};

/** Routes kafkajs' logs through Nest's Logger so they look like the rest of the app. */
export const nestLogCreator: logCreator = () => {
  const logger = new Logger('kafkajs');
  return ({ level, log }) => {
    const { message, ...extra } = log;
    // Retries are bounded on purpose: callers (the outbox relay) must see a send fail during an
    // outage and re-send from their own store; order is kept by one request in flight.
    if (message === 'Limiting retries for the idempotent producer may invalidate EoS guarantees') return;
    const text = `${message} ${JSON.stringify(extra)}`;
    if (level === logLevel.ERROR) logger.error(text);
    else if (level === logLevel.WARN) logger.warn(text);
    else if (level === logLevel.INFO) logger.log(text);
    else logger.debug(text);
  };
};
