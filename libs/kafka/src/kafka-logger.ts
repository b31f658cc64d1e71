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

/**
 * Broker answers that describe a passing state kafkajs retries on its own: a broker that is still
 * loading its group coordinator or has not learnt about a topic or its leader yet (every fresh broker
 * and every new topic goes through these), leadership moving, a group rebalancing. Matched on the
 * protocol error messages kafkajs puts in its log entries.
 */
const TRANSIENT_CONDITIONS: ReadonlyArray<RegExp> = [
  /The coordinator is loading/, // GROUP_LOAD_IN_PROGRESS
  /The group coordinator is not available/, // GROUP_COORDINATOR_NOT_AVAILABLE
  /This is not the correct coordinator for this group/, // NOT_COORDINATOR_FOR_GROUP
  /This server does not host this topic-partition/, // UNKNOWN_TOPIC_OR_PARTITION
  /There is no leader for this topic-partition/, // LEADER_NOT_AVAILABLE
  /This server is not the leader for that topic-partition/, // NOT_LEADER_FOR_PARTITION
  /The preferred leader was not available/, // PREFERRED_LEADER_NOT_AVAILABLE
  /The group is rebalancing/, // REBALANCE_IN_PROGRESS
  /Specified group generation id is not valid/, // ILLEGAL_GENERATION (after a rebalance)
  /The coordinator is not aware of this member/, // UNKNOWN_MEMBER_ID (kafkajs re-joins)
];

const GAVE_UP = /^Crash: |NumberOfRetriesExceeded/;

/** What the level decision looks at in one kafkajs log entry. */
export interface KafkajsLogEntry {
  /** Level kafkajs gave the entry. */
  level: logLevel;
  /** kafkajs component, e.g. `Connection`, `Producer`, `Consumer`. */
  namespace?: string;
  message: string;
  /** The broker's error message, when kafkajs logs it apart from `message`. */
  error?: unknown;
}

/**
 * The level a kafkajs entry is logged at. Known transient conditions are lowered: to `debug` for the
 * per-request `Response …` line (the request is retried above it, and a failure that outlasts the
 * retries reaches the caller as an error), to `warn` elsewhere. Everything else keeps its level, so
 * real errors stay at `error`. Never raises a level.
 */
export function kafkajsLogLevel(entry: KafkajsLogEntry): logLevel {
  if (entry.level > logLevel.WARN || entry.level === logLevel.NOTHING) return entry.level;
  const text = `${entry.message} ${typeof entry.error === 'string' ? entry.error : ''}`;
  // kafkajs gave up (retries exhausted, consumer crashed): whatever the cause, that is an error.
  if (GAVE_UP.test(text)) return entry.level;
  if (!TRANSIENT_CONDITIONS.some((condition) => condition.test(text))) return entry.level;
  const perRequest = entry.namespace === 'Connection' || entry.message.startsWith('Response ');
  return perRequest ? logLevel.DEBUG : logLevel.WARN;
}

/** Routes kafkajs' logs through Nest's Logger so they look like the rest of the app. */
export const nestLogCreator: logCreator = (configuredLevel) => {
  const logger = new Logger('kafkajs');
  return ({ namespace, level, log }) => {
    const { message, ...extra } = log;
    // Retries are bounded on purpose: callers (the outbox relay) must see a send fail during an
    // outage and re-send from their own store; order is kept by one request in flight.
    if (message === 'Limiting retries for the idempotent producer may invalidate EoS guarantees') return;
    const effective = kafkajsLogLevel({ level, namespace, message, error: extra.error });
    // A lowered entry may now be below the verbosity the app asked kafkajs for.
    if (effective > configuredLevel) return;
    const text = `${namespace ? `[${namespace}] ` : ''}${message} ${JSON.stringify(extra)}`;
    if (effective === logLevel.ERROR) logger.error(text);
    else if (effective === logLevel.WARN) logger.warn(text);
    else if (effective === logLevel.INFO) logger.log(text);
    else logger.debug(text);
  };
};
