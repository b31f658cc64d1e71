import type { BackoffPolicy } from '@tributary/kafka';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { OutboxConfigurationException } from './exceptions/outbox-configuration.exception';
import type {
  OutboxTopicsOptions,
  OutboxBackoffOptions,
  OutboxDeadRowPolicy,
  OutboxHealthThresholds,
  OutboxModuleOptions,
} from './interfaces/outbox-module-options.interface';
import { assertValidTableName } from './util/outbox-table-name';

/** Relay settings with defaults applied. `pollIntervalMs` stays undefined when it depends on the database. */
export interface ResolvedRelayOptions {
  enabled: boolean;
  instanceId: string;
  batchSize: number;
  maxBatchBytes: number;
  concurrency: number;
  lanesPerBatch: number;
  leaseMs: number;
  pollIntervalMs?: number;
  listen: boolean;
  preparedStatements: boolean;
  maxAttempts: number;
  retryBackoff: BackoffPolicy;
  outageBackoff: BackoffPolicy;
  deadRowPolicy: OutboxDeadRowPolicy;
  retentionMs: number;
  retentionIntervalMs: number;
  retentionBatchSize: number;
  /** Undefined: KafkaModule's `slowOperationThresholdMs`. */
  slowBatchThresholdMs?: number;
}

/** Module options with defaults applied and every value checked. */
export interface ResolvedOutboxOptions {
  tableName: string;
  lanes: number;
  ensureSchema: boolean;
  events: Array<new (...args: any[]) => object>;
  topics: Required<OutboxTopicsOptions>;
  relay: ResolvedRelayOptions;
  health: Required<OutboxHealthThresholds>;
  metricsRefreshMs: number;
}

function integer(name: string, value: unknown, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new OutboxConfigurationException(`\`${name}\` must be an integer between ${min} and ${max}, got ${String(value)}`);
  }
  return value;
}

function flag(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new OutboxConfigurationException(`\`${name}\` must be true or false, got ${JSON.stringify(value)}`);
  return value;
}

function backoff(name: string, value: OutboxBackoffOptions | undefined, defaults: BackoffPolicy): BackoffPolicy {
  if (value !== undefined && (value === null || typeof value !== 'object')) {
    throw new OutboxConfigurationException(`\`${name}\` must be an object like { initialMs, maxMs }`);
  }
  const v = value ?? {};
  const initialMs = integer(`${name}.initialMs`, v.initialMs, defaults.initialMs, 1);
  const maxMs = integer(`${name}.maxMs`, v.maxMs, Math.max(defaults.maxMs, initialMs), initialMs);
  const multiplier = v.multiplier ?? defaults.multiplier;
  if (typeof multiplier !== 'number' || !(multiplier >= 1)) {
    throw new OutboxConfigurationException(`\`${name}.multiplier\` must be a number >= 1`);
  }
  const jitter = v.jitter ?? defaults.jitter;
  if (typeof jitter !== 'number' || !(jitter >= 0 && jitter <= 1)) {
    throw new OutboxConfigurationException(`\`${name}.jitter\` must be a number between 0 and 1`);
  }
  return { initialMs, maxMs, multiplier, jitter };
}

/** Check `OutboxModule` options and fill in defaults. Throws `OutboxConfigurationException` / `InvalidOutboxTableNameException`. */
export function resolveOutboxOptions(options: OutboxModuleOptions = {}): ResolvedOutboxOptions {
  if (options === null || typeof options !== 'object') throw new OutboxConfigurationException('options must be an object');
  const tableName = assertValidTableName(options.tableName ?? 'tributary_outbox');
  const lanes = integer('lanes', options.lanes, 64, 1, 4096);
  const events = options.events ?? [];
  if (!Array.isArray(events) || events.some((e) => typeof e !== 'function')) {
    throw new OutboxConfigurationException('`events` must be an array of @IntegrationEvent classes');
  }
  const relay = options.relay ?? {};
  if (typeof relay !== 'object' || relay === null) throw new OutboxConfigurationException('`relay` must be an object');
  const policy = relay.deadRowPolicy ?? 'block';
  if (policy !== 'block' && policy !== 'skip') {
    throw new OutboxConfigurationException(`\`relay.deadRowPolicy\` must be 'block' or 'skip', got ${JSON.stringify(policy)}`);
  }
  const instanceId = relay.instanceId ?? `${hostname()}-${process.pid}-${randomBytes(2).toString('hex')}`;
  if (typeof instanceId !== 'string' || instanceId.length === 0) {
    throw new OutboxConfigurationException('`relay.instanceId` must be a non-empty string');
  }
  const health = options.health ?? {};
  const topics = options.topics ?? {};
  if (typeof topics !== 'object' || topics === null) throw new OutboxConfigurationException('`topics` must be an object');
  return {
    tableName,
    lanes,
    ensureSchema: options.ensureSchema ?? false,
    events,
    topics: {
      create: topics.create ?? true,
      numPartitions: integer('topics.numPartitions', topics.numPartitions, 6, 1, 10_000),
      replicationFactor: topics.replicationFactor === -1 ? -1 : integer('topics.replicationFactor', topics.replicationFactor, -1, 1, 100),
    },
    relay: {
      enabled: relay.enabled ?? true,
      instanceId,
      batchSize: integer('relay.batchSize', relay.batchSize, 500, 1, 10_000),
      maxBatchBytes: integer('relay.maxBatchBytes', relay.maxBatchBytes, 900_000, 1024),
      concurrency: integer('relay.concurrency', relay.concurrency, 4, 1, 256),
      lanesPerBatch: integer('relay.lanesPerBatch', relay.lanesPerBatch, 16, 1, 4096),
      leaseMs: integer('relay.leaseMs', relay.leaseMs, 10_000, 1000, 600_000),
      pollIntervalMs: relay.pollIntervalMs === undefined ? undefined : integer('relay.pollIntervalMs', relay.pollIntervalMs, 0, 10),
      listen: relay.listen ?? true,
      preparedStatements: flag('relay.preparedStatements', relay.preparedStatements, true),
      maxAttempts: integer('relay.maxAttempts', relay.maxAttempts, 10, 1),
      retryBackoff: backoff('relay.retryBackoff', relay.retryBackoff, { initialMs: 1000, maxMs: 60_000, multiplier: 2, jitter: 0.2 }),
      outageBackoff: backoff('relay.outageBackoff', relay.outageBackoff, { initialMs: 250, maxMs: 15_000, multiplier: 2, jitter: 0.2 }),
      deadRowPolicy: policy,
      retentionMs: integer('relay.retentionMs', relay.retentionMs, 86_400_000, 0),
      retentionIntervalMs: integer('relay.retentionIntervalMs', relay.retentionIntervalMs, 60_000, 10),
      retentionBatchSize: integer('relay.retentionBatchSize', relay.retentionBatchSize, 5000, 1, 100_000),
      slowBatchThresholdMs:
        relay.slowBatchThresholdMs === undefined ? undefined : integer('relay.slowBatchThresholdMs', relay.slowBatchThresholdMs, 0, 0),
    },
    health: {
      maxPending: integer('health.maxPending', health.maxPending, 100_000, 0),
      maxOldestPendingAgeMs: integer('health.maxOldestPendingAgeMs', health.maxOldestPendingAgeMs, 300_000, 0),
      maxDeadRows: integer('health.maxDeadRows', health.maxDeadRows, 1000, 0),
    },
    metricsRefreshMs: integer('metricsRefreshMs', options.metricsRefreshMs, 5000, 0),
  };
}
