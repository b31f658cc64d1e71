import { isKafkaTopicName, isSqlIdentifier } from '@tributary/kafka';
import { ProjectionsConfigurationException } from './exceptions/projections-configuration.exception';
import type { ProjectionOptions } from './interfaces/projection-options.interface';
import { ProjectionFailurePolicy, UnknownEventPolicy } from './interfaces/projection-policies.enum';
import type { ProjectionConsumerOptions, ProjectionInboxOptions, ProjectionsModuleOptions } from './interfaces/projections-module-options.interface';
import type { UpcasterRegistration } from './interfaces/upcaster.interface';
import { DEFAULT_CHECKPOINT_TABLE, DEFAULT_INBOX_TABLE } from './projections.constants';

/** Module options with every default applied. */
export interface ResolvedProjectionsOptions {
  checkpointTable: string;
  inboxTable: string;
  createTables: boolean;
  autoStart: boolean;
  groupIdPrefix: string;
  failurePolicy: ProjectionFailurePolicy;
  unknownEventPolicy: UnknownEventPolicy;
  maxAttempts: number;
  retryBackoffMs: number;
  retryBackoffMaxMs: number;
  deadLetterTopic: (topic: string) => string;
  createDeadLetterTopics: boolean;
  upcasters: UpcasterRegistration[];
  inbox: Required<ProjectionInboxOptions>;
  consumer: Required<ProjectionConsumerOptions>;
  progressIntervalMs: number;
  metricsRefreshMs: number;
  slowHandlerThresholdMs: number;
}

/** `@Projection` options with the module defaults applied. */
export interface ResolvedProjectionOptions {
  name: string;
  groupId: string;
  failurePolicy: ProjectionFailurePolicy;
  unknownEventPolicy: UnknownEventPolicy;
  maxAttempts: number;
  deadLetterTopic: (topic: string) => string;
  slowHandlerThresholdMs: number;
}

const PROJECTION_NAME = /^[a-zA-Z0-9._-]{1,100}$/;

function fail(message: string): never {
  throw new ProjectionsConfigurationException(message);
}

/** True when `name` is a table name we are willing to put into SQL: a plain identifier, optionally with one `schema.` prefix. */
export function isValidTableName(name: unknown): name is string {
  return isSqlIdentifier(name, { allowSchema: true });
}

function tableName(value: unknown, option: string, fallback: string): string {
  if (value === undefined) return fallback;
  if (!isValidTableName(value)) {
    fail(`${option} "${String(value)}" is not a plain SQL identifier (letters, digits, _; up to 63 chars; optional "schema.")`);
  }
  return value;
}

function positiveInt(value: unknown, option: string, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) fail(`${option} must be an integer >= ${min}, got ${String(value)}`);
  return value;
}

function bool(value: unknown, option: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') fail(`${option} must be true or false, got ${String(value)}`);
  return value;
}

function enumValue<T extends string>(value: unknown, option: string, values: Record<string, T>, fallback: T): T {
  if (value === undefined) return fallback;
  const allowed = Object.values(values);
  if (!allowed.includes(value as T)) fail(`${option} must be one of ${allowed.map((v) => `"${v}"`).join(', ')}, got ${String(value)}`);
  return value as T;
}

function deadLetterTopic(value: unknown, option: string, fallback: (topic: string) => string): (topic: string) => string {
  if (value === undefined) return fallback;
  if (typeof value === 'function') return value as (topic: string) => string;
  if (isKafkaTopicName(value)) return () => value;
  return fail(`${option} must be a topic name ([a-zA-Z0-9._-], 1-249 chars) or a function (topic) => name, got ${String(value)}`);
}

/** Check `ProjectionsModule` options and apply the defaults. Throws `ProjectionsConfigurationException`. */
export function resolveProjectionsOptions(
  options: ProjectionsModuleOptions | undefined,
  serviceName: string,
  slowOperationThresholdMs = 1000,
): ResolvedProjectionsOptions {
  const o = options ?? {};
  if (typeof o !== 'object') fail('options must be an object');
  const checkpointTable = tableName(o.tables?.checkpoints, 'tables.checkpoints', DEFAULT_CHECKPOINT_TABLE);
  const inboxTable = tableName(o.tables?.inbox, 'tables.inbox', DEFAULT_INBOX_TABLE);
  if (checkpointTable === inboxTable) fail(`tables.checkpoints and tables.inbox are both "${inboxTable}"; use two tables`);
  const groupIdPrefix = o.groupIdPrefix ?? `${serviceName}.projection.`;
  if (typeof groupIdPrefix !== 'string') fail('groupIdPrefix must be a string');
  const upcasters = o.upcasters ?? [];
  if (!Array.isArray(upcasters)) fail('upcasters must be an array of { type, fromVersion, upcast }');
  const c = o.consumer ?? {};
  const inbox = o.inbox ?? {};
  if (typeof inbox !== 'object') fail('inbox must be an object { retentionMs?, sweepIntervalMs?, sweepBatchSize? }');
  const retryBackoffMs = positiveInt(o.retryBackoffMs, 'retryBackoffMs', 50, 0);
  const retryBackoffMaxMs = positiveInt(o.retryBackoffMaxMs, 'retryBackoffMaxMs', Math.max(5000, retryBackoffMs), 0);
  if (retryBackoffMaxMs < retryBackoffMs) {
    fail(`retryBackoffMaxMs (${retryBackoffMaxMs}) must be >= retryBackoffMs (${retryBackoffMs}); raise it or lower retryBackoffMs`);
  }
  return {
    checkpointTable,
    inboxTable,
    createTables: bool(o.createTables, 'createTables', true),
    autoStart: bool(o.autoStart, 'autoStart', true),
    groupIdPrefix,
    failurePolicy: enumValue(o.failurePolicy, 'failurePolicy', ProjectionFailurePolicy, ProjectionFailurePolicy.DeadLetter),
    unknownEventPolicy: enumValue(o.unknownEventPolicy, 'unknownEventPolicy', UnknownEventPolicy, UnknownEventPolicy.Ignore),
    maxAttempts: positiveInt(o.maxAttempts, 'maxAttempts', 3),
    retryBackoffMs,
    retryBackoffMaxMs,
    deadLetterTopic: deadLetterTopic(o.deadLetterTopic, 'deadLetterTopic', (topic) => `${topic}.dlq`),
    createDeadLetterTopics: bool(o.createDeadLetterTopics, 'createDeadLetterTopics', true),
    upcasters,
    inbox: {
      retentionMs: positiveInt(inbox.retentionMs, 'inbox.retentionMs', 7 * 24 * 3600 * 1000, 0),
      sweepIntervalMs: positiveInt(inbox.sweepIntervalMs, 'inbox.sweepIntervalMs', 60_000, 10),
      sweepBatchSize: positiveInt(inbox.sweepBatchSize, 'inbox.sweepBatchSize', 5000, 1),
    },
    consumer: {
      sessionTimeout: positiveInt(c.sessionTimeout, 'consumer.sessionTimeout', 30_000),
      heartbeatInterval: positiveInt(c.heartbeatInterval, 'consumer.heartbeatInterval', 3_000),
      maxWaitTimeInMs: positiveInt(c.maxWaitTimeInMs, 'consumer.maxWaitTimeInMs', 100),
      maxBytesPerPartition: positiveInt(c.maxBytesPerPartition, 'consumer.maxBytesPerPartition', 1_048_576),
      partitionsConsumedConcurrently: positiveInt(c.partitionsConsumedConcurrently, 'consumer.partitionsConsumedConcurrently', 1),
    },
    progressIntervalMs: positiveInt(o.progressIntervalMs, 'progressIntervalMs', 500, 10),
    metricsRefreshMs: positiveInt(o.metricsRefreshMs, 'metricsRefreshMs', 5000, 0),
    slowHandlerThresholdMs: positiveInt(o.slowHandlerThresholdMs, 'slowHandlerThresholdMs', slowOperationThresholdMs, 0),
  };
}

/** Check the options of one `@Projection` class and apply the module defaults. */
export function resolveProjectionOptions(
  options: ProjectionOptions | undefined,
  className: string,
  defaults: ResolvedProjectionsOptions,
): ResolvedProjectionOptions {
  const where = `@Projection on ${className}`;
  if (!options || typeof options.name !== 'string' || !PROJECTION_NAME.test(options.name)) {
    fail(`${where}: name must be 1-100 chars of [a-zA-Z0-9._-], got ${String(options?.name)}`);
  }
  if (options.topics !== undefined) {
    if (!Array.isArray(options.topics)) fail(`${where}: topics must be an array of topic names`);
    for (const t of options.topics) if (!isKafkaTopicName(t)) fail(`${where}: "${String(t)}" is not a topic name`);
  }
  if (options.tables !== undefined && !Array.isArray(options.tables)) fail(`${where}: tables must be an array of entities or table names`);
  const groupId = options.groupId ?? `${defaults.groupIdPrefix}${options.name}`;
  if (typeof groupId !== 'string' || groupId === '') fail(`${where}: groupId must be a non-empty string`);
  return {
    name: options.name,
    groupId,
    failurePolicy: enumValue(options.failurePolicy, `${where}: failurePolicy`, ProjectionFailurePolicy, defaults.failurePolicy),
    unknownEventPolicy: enumValue(options.unknownEventPolicy, `${where}: unknownEventPolicy`, UnknownEventPolicy, defaults.unknownEventPolicy),
    maxAttempts: positiveInt(options.maxAttempts, `${where}: maxAttempts`, defaults.maxAttempts),
    deadLetterTopic: deadLetterTopic(options.deadLetterTopic, `${where}: deadLetterTopic`, defaults.deadLetterTopic),
    slowHandlerThresholdMs: positiveInt(options.slowHandlerThresholdMs, `${where}: slowHandlerThresholdMs`, defaults.slowHandlerThresholdMs, 0),
  };
}
