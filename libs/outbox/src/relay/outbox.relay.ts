import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { getIntegrationEventMetadata, KafkaClient, SlowOperationLogger } from '@tributary/kafka';
import type { Message, Producer, TopicMessages } from 'kafkajs';
import { performance } from 'node:perf_hooks';
import { Subject, type Observable } from 'rxjs';
import { OutboxMetrics } from '../observability/outbox-metrics';
import { OutboxSendTrace } from '../observability/outbox-tracing';
import { OutboxContext } from '../outbox.context';
import type { OutboxWakeupListener } from '../store/outbox.store';
import type { OutboxRow } from '../store/outbox-row.interface';
import type { SqlSession } from '../store/sql-session';
import { backoffDelay } from '../util/backoff';
import { classifySendError, describeSendError } from './kafka-send-error';
import { planLaneBatch } from './lane-batch.planner';
import { RateMeter } from './rate-meter';

/** Emitted by `OutboxRelay.shipped$` when Kafka acked a batch (just before its rows are marked published). */
export interface OutboxShippedBatch {
  /** Lanes the batch covered. */
  lanes: number[];
  rowIds: number[];
  eventIds: string[];
  /** Epoch ms of the ack. */
  ackedAt: number;
  instanceId: string;
}

/** Figures of the outbox and of this relay instance. */
export interface OutboxRelayMetrics {
  instanceId: string;
  /** The relay loop runs in this process. */
  running: boolean;
  /** PostgreSQL LISTEN connection is up (false elsewhere: polling). */
  listening: boolean;
  /** Last Kafka send or connect succeeded (true until one fails). */
  brokerAvailable: boolean;
  /** Last database round trip succeeded. */
  databaseAvailable: boolean;
  /** Rows never tried yet. */
  pending: number;
  /** Rows refused once or more, waiting for their next attempt. */
  retrying: number;
  /** Rows that exhausted their attempts (see `OutboxAdmin`). */
  dead: number;
  /** Age of the oldest unpublished row, ms (0 when none). */
  oldestPendingAgeMs: number;
  /** Rows this instance shipped since it started. */
  shippedTotal: number;
  /** Rows this instance shipped per second, over the last 10 s. */
  shippedPerSecond: number;
  /** Row sends the broker refused (each counts toward the row's attempts). */
  failuresTotal: number;
  /** Times the relay paused because Kafka or the database was unreachable. */
  outagesTotal: number;
}

interface SendResult {
  acked: OutboxRow[];
  failed: Array<{ row: OutboxRow; error: unknown }>;
  outage?: unknown;
}

interface LaneResult {
  more: boolean;
  retryAt?: number;
}

/** What a batch did, per lane held (lanes missing from the map were held by another relay). */
interface BatchOutcome {
  lanes: Map<number, LaneResult>;
  shipped: number;
  /** Rows the batch sent (acked or not). */
  sent: OutboxRow[];
  outage?: unknown;
}

class KafkaOutage extends Error {
  constructor(readonly reason: unknown) {
    super(describeSendError(reason));
  }
}

/**
 * Ships outbox rows to Kafka. Rows are hashed into lanes by key; a lane's rows go out strictly in
 * id order, one batch at a time, each batch marked published only after Kafka acked it. Lanes ship
 * in parallel (`concurrency` per instance) and any number of instances may run: on PostgreSQL and
 * MySQL a lane is held by a row lock for the length of one batch. Delivery is at least once: a
 * crash between the ack and the commit sends that batch again, still in order.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(OutboxRelay.name);
  private readonly shipped = new Subject<OutboxShippedBatch>();
  /** Batches acked by Kafka, in ack order. */
  readonly shipped$: Observable<OutboxShippedBatch> = this.shipped.asObservable();

  private running = false;
  /** Lanes known to hold work, in round-robin order. */
  private readonly dirty = new Set<number>();
  /** Lanes whose next row is waiting for a retry time (epoch ms). */
  private readonly notBefore = new Map<number, number>();
  /** Lanes whose last batch left rows behind. */
  private readonly backlogged = new Set<number>();
  /** Lanes in a running batch of this instance. */
  private readonly busy = new Set<number>();
  /** Busy lanes that were signalled again while their batch ran. */
  private readonly resignalled = new Set<number>();
  private readonly inFlight = new Set<Promise<void>>();
  private pausedUntil = 0;
  private outageStreak = 0;
  private polling = false;
  private lanesSeeded = false;
  private pollTimer?: NodeJS.Timeout;
  private retentionTimer?: NodeJS.Timeout;
  private wakeTimer?: NodeJS.Timeout;
  private wakeAt = 0;
  private listener?: OutboxWakeupListener;
  private producer?: Promise<Producer>;
  private sweeping = false;

  private brokerAvailable = true;
  private databaseAvailable = true;
  private shippedTotal = 0;
  private failuresTotal = 0;
  private outagesTotal = 0;
  private readonly rate = new RateMeter(10);

  private readonly ensuredTopics = new Set<string>();
  private readonly slowBatches: SlowOperationLogger;

  constructor(
    private readonly context: OutboxContext,
    private readonly kafka: KafkaClient,
    private readonly telemetry: OutboxMetrics,
  ) {
    this.slowBatches = new SlowOperationLogger(this.logger, context.options.relay.slowBatchThresholdMs ?? kafka.options.slowOperationThresholdMs);
  }

  get instanceId(): string {
    return this.context.options.relay.instanceId;
  }

  /** True while the relay loop runs. */
  get isRunning(): boolean {
    return this.running;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.context.options.relay.enabled) return;
    const declared = this.context.options.events.map((e) => getIntegrationEventMetadata(e)?.topic).filter((t): t is string => !!t);
    // Best effort: consumers booting later find the topics; a failure here is retried on first send.
    await this.ensureTopics(declared).catch((e: Error) => this.logger.warn(`could not create event topics yet: ${e.message}`));
    this.start();
  }

  /** Create the topics not yet known to exist (`topics.create`), once per topic and process. */
  private async ensureTopics(topics: Iterable<string>): Promise<void> {
    const { create, numPartitions, replicationFactor } = this.context.options.topics;
    const missing = [...new Set(topics)].filter((t) => !this.ensuredTopics.has(t));
    if (!create || missing.length === 0) return;
    await this.kafka.admin.ensureTopics(missing.map((topic) => ({ topic, numPartitions, replicationFactor })));
    for (const topic of missing) this.ensuredTopics.add(topic);
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }

  /** Start shipping (done at bootstrap unless `relay.enabled` is false). Idempotent. */
  start(): void {
    if (this.running) return;
    const options = this.context.options.relay;
    const store = this.context.store;
    this.running = true;
    this.listener = options.listen ? store.createListener((lanes) => this.signal(lanes), this.logger) : undefined;
    this.listener?.start();
    const pollMs = options.pollIntervalMs ?? (this.listener ? 2000 : 250);
    this.pollTimer = setInterval(() => void this.poll(), pollMs);
    if (options.retentionMs > 0) {
      this.retentionTimer = setInterval(() => void this.sweep(), options.retentionIntervalMs);
    }
    void this.poll();
  }

  /** Stop taking new batches, wait for the running ones, close the relay's producer. Idempotent. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearInterval(this.pollTimer);
    clearInterval(this.retentionTimer);
    clearTimeout(this.wakeTimer);
    await this.listener?.stop();
    this.listener = undefined;
    await Promise.allSettled([...this.inFlight]);
    await this.dropProducer();
  }

  /** Outbox figures (reads the table) and this instance's counters. */
  async metrics(): Promise<OutboxRelayMetrics> {
    const store = this.context.store;
    const stats = await store.withSession((s) => store.stats(s));
    return {
      instanceId: this.instanceId,
      running: this.running,
      listening: this.listener?.listening ?? false,
      brokerAvailable: this.brokerAvailable,
      databaseAvailable: this.databaseAvailable,
      pending: stats.pending,
      retrying: stats.retrying,
      dead: stats.dead,
      oldestPendingAgeMs: stats.oldestUnpublishedAt ? Math.max(0, Date.now() - stats.oldestUnpublishedAt.getTime()) : 0,
      shippedTotal: this.shippedTotal,
      shippedPerSecond: this.rate.perSecond(),
      failuresTotal: this.failuresTotal,
      outagesTotal: this.outagesTotal,
    };
  }

  /** Delete published rows older than `relay.retentionMs` now (the sweep also runs on its timer). */
  async sweep(): Promise<number> {
    const { retentionMs, retentionBatchSize } = this.context.options.relay;
    if (this.sweeping || retentionMs <= 0 || Date.now() < this.pausedUntil) return 0;
    this.sweeping = true;
    const store = this.context.store;
    let total = 0;
    try {
      const cutoff = new Date(Date.now() - retentionMs);
      for (;;) {
        const deleted = await store.withSession((s) => store.deletePublishedBefore(s, cutoff, retentionBatchSize));
        total += deleted;
        if (deleted < retentionBatchSize || !this.running) break;
      }
    } catch (e) {
      this.logger.warn(`outbox retention sweep failed: ${(e as Error).message}`);
    } finally {
      this.sweeping = false;
    }
    return total;
  }

  // ---- scheduling ------------------------------------------------------------------------------

  /** New rows in `lanes` (NOTIFY), or unknown lanes (`undefined`: scan the table). */
  private signal(lanes: number[] | undefined): void {
    if (!lanes) {
      void this.poll();
      return;
    }
    for (const lane of lanes) {
      this.notBefore.delete(lane);
      if (this.busy.has(lane)) this.resignalled.add(lane);
      this.dirty.add(lane);
    }
    this.pump();
  }

  private async poll(): Promise<void> {
    if (!this.running || this.polling || Date.now() < this.pausedUntil) return;
    this.polling = true;
    const store = this.context.store;
    try {
      const lanes = await store.withSession(async (s) => {
        if (!this.lanesSeeded) {
          await store.seedLanes(s, this.context.options.lanes);
          this.lanesSeeded = true;
        }
        return store.lanesWithWork(s);
      });
      this.databaseAvailable = true;
      for (const lane of lanes) this.dirty.add(lane);
      this.pump();
    } catch (e) {
      this.enterOutage('database', e);
    } finally {
      this.polling = false;
    }
  }

  /**
   * Start batches on dirty lanes while workers are free. A lane with a backlog (its last batch left
   * rows behind) gets a batch of its own with the full `batchSize`; lanes with a few new rows are
   * grouped, up to `lanesPerBatch` per batch, so a handful of workers serve many lanes quickly.
   */
  private pump(): void {
    if (!this.running) return;
    const now = Date.now();
    if (now < this.pausedUntil) return this.wakeAtTime(this.pausedUntil);
    const { concurrency, lanesPerBatch } = this.context.options.relay;
    let earliest = Number.POSITIVE_INFINITY;
    let batch: number[] = [];
    for (const lane of this.dirty) {
      if (this.inFlight.size >= concurrency) break;
      if (this.busy.has(lane)) continue;
      const due = this.notBefore.get(lane) ?? 0;
      if (due > now) {
        earliest = Math.min(earliest, due);
        continue;
      }
      if (this.backlogged.has(lane)) {
        this.startBatch([lane]);
        continue;
      }
      batch.push(lane);
      if (batch.length >= lanesPerBatch) {
        this.startBatch(batch);
        batch = [];
      }
    }
    if (batch.length > 0 && this.inFlight.size < concurrency) this.startBatch(batch);
    if (earliest < Number.POSITIVE_INFINITY) this.wakeAtTime(earliest);
  }

  private startBatch(lanes: number[]): void {
    for (const lane of lanes) {
      this.busy.add(lane);
      this.resignalled.delete(lane);
      // Move the lane to the end of the round-robin order.
      this.dirty.delete(lane);
      this.dirty.add(lane);
    }
    const task = this.runBatch(lanes).finally(() => {
      for (const lane of lanes) this.busy.delete(lane);
      this.inFlight.delete(task);
      this.pump();
    });
    this.inFlight.add(task);
  }

  private wakeAtTime(at: number): void {
    if (this.wakeTimer && this.wakeAt <= at && this.wakeAt > Date.now()) return;
    clearTimeout(this.wakeTimer);
    this.wakeAt = at;
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined;
      this.pump();
    }, Math.max(0, at - Date.now()));
  }

  private async runBatch(lanes: number[]): Promise<void> {
    let outcome: BatchOutcome | undefined;
    const startedAt = performance.now();
    try {
      const producer = await this.getProducer();
      outcome = await this.context.store.withLanes(lanes, (session, held) => this.shipLanes(session, held, producer));
      this.databaseAvailable = true;
    } catch (e) {
      if (e instanceof KafkaOutage) {
        this.telemetry.sendFailed('broker');
        this.enterOutage('kafka', e.reason);
      } else this.enterOutage('database', e);
      return;
    } finally {
      const sent = outcome?.sent ?? [];
      this.slowBatches.check(performance.now() - startedAt, () => describeBatch(this.context.options.tableName, lanes, sent));
    }
    if (outcome?.outage !== undefined) {
      this.enterOutage('kafka', outcome.outage);
    } else if (outcome && outcome.shipped > 0) {
      this.brokerAvailable = true;
      this.outageStreak = 0;
    }
    for (const lane of lanes) {
      const result = outcome?.lanes.get(lane);
      if (result?.more) this.backlogged.add(lane);
      else this.backlogged.delete(lane);
      if (this.resignalled.has(lane)) continue;
      if (!result) {
        // Another relay holds the lane; it keeps going while the lane has work.
        this.dirty.delete(lane);
      } else if (result.more || outcome!.outage !== undefined) {
        continue;
      } else if (result.retryAt !== undefined) {
        this.notBefore.set(lane, result.retryAt);
      } else {
        this.dirty.delete(lane);
        this.notBefore.delete(lane);
      }
    }
  }

  /** One batch over the lanes this instance holds: one read, one Kafka request, one update. */
  private async shipLanes(session: SqlSession, held: number[], producer: Producer): Promise<BatchOutcome> {
    const { batchSize, maxBatchBytes, deadRowPolicy, retentionMs } = this.context.options.relay;
    const store = this.context.store;
    const now = Date.now();
    const perLane = { batchSize: Math.max(1, Math.ceil(batchSize / held.length)), maxBatchBytes: Math.max(1024, Math.floor(maxBatchBytes / held.length)) };
    const blockOnDead = deadRowPolicy === 'block';
    const ready = await store.fetchDueRetrying(session, held, new Date(now), batchSize, blockOnDead);
    const pending = await store.fetchPending(session, held.map((lane) => ({ lane, limit: perLane.batchSize })), blockOnDead);
    const lanes = new Map<number, LaneResult>();
    const send: OutboxRow[] = [];
    for (const lane of held) {
      const lanePending = pending.filter((r) => r.lane === lane);
      const plan = planLaneBatch(
        ready.filter((r) => r.lane === lane),
        lanePending,
        lanePending.length >= perLane.batchSize,
        perLane,
      );
      send.push(...plan.send);
      lanes.set(lane, { more: plan.more });
    }
    if (send.length === 0) {
      // Nothing to send: rows may be waiting for a retry time (or behind a dead row, until an admin acts).
      const retryAt = await store.nextRetryAt(session, held, new Date(now));
      for (const result of lanes.values()) result.retryAt = retryAt;
      return { lanes, shipped: 0, sent: send };
    }

    this.telemetry.batchStarted(send.length);
    const result = await this.send(producer, send);
    if (result.acked.length > 0) {
      const ackedAt = Date.now();
      this.telemetry.acked(result.acked, ackedAt);
      this.shippedTotal += result.acked.length;
      this.rate.add(result.acked.length, ackedAt);
      this.shipped.next({
        lanes: held,
        rowIds: result.acked.map((r) => r.id),
        eventIds: result.acked.map((r) => r.eventId),
        ackedAt,
        instanceId: this.instanceId,
      });
      await store.markPublished(session, result.acked.map((r) => r.id), new Date(ackedAt), retentionMs === 0);
    }
    for (const { row, error } of result.failed) {
      const failure = this.failureOf(row, error);
      await store.markFailed(session, failure);
      const lane = lanes.get(row.lane)!;
      if (failure.status === 'retrying') lane.retryAt = Math.min(lane.retryAt ?? Infinity, failure.availableAt.getTime());
      // A dead row under 'skip' frees its key: look at the lane again.
      else lane.more = true;
    }
    return { lanes, shipped: result.acked.length, sent: send, outage: result.outage };
  }

  private failureOf(row: OutboxRow, error: unknown) {
    const { maxAttempts, retryBackoff } = this.context.options.relay;
    this.failuresTotal++;
    this.telemetry.sendFailed('refused');
    const attempts = row.attempts + 1;
    const dead = attempts >= maxAttempts;
    const message = describeSendError(error);
    if (dead) {
      this.logger.error(`outbox row ${row.id} (event ${row.eventId}, ${row.type} to ${row.topic}) is dead after ${attempts} attempts: ${message}`);
    } else {
      this.logger.warn(`outbox row ${row.id} (${row.type} to ${row.topic}) refused, attempt ${attempts}/${maxAttempts}: ${message}`);
    }
    return {
      id: row.id,
      status: dead ? ('dead' as const) : ('retrying' as const),
      attempts,
      availableAt: new Date(Date.now() + (dead ? 0 : backoffDelay(attempts, retryBackoff))),
      error: message,
    };
  }

  // ---- Kafka -----------------------------------------------------------------------------------

  /**
   * Send rows in one request. When the broker refuses it for a reason tied to records, send them
   * one by one to find the culprits; a refused row blocks the later rows of its key in this batch.
   */
  private async send(producer: Producer, rows: OutboxRow[]): Promise<SendResult> {
    const topicMessages = toTopicMessages(rows);
    const trace = new OutboxSendTrace(topicMessages);
    const startedAt = performance.now();
    const result = await this.sendRows(producer, rows, topicMessages);
    this.telemetry.sendFinished((performance.now() - startedAt) / 1000);
    if (result.outage !== undefined) {
      this.telemetry.sendFailed('broker');
      trace.end('all', result.outage);
    } else {
      trace.end(new Set(result.failed.map((f) => f.row.topic)), result.failed[0]?.error);
    }
    return result;
  }

  private async sendRows(producer: Producer, rows: OutboxRow[], topicMessages: TopicMessages[]): Promise<SendResult> {
    try {
      await this.ensureTopics(topicMessages.map((t) => t.topic));
    } catch (e) {
      return { acked: [], failed: [], outage: e };
    }
    try {
      await producer.sendBatch({ topicMessages, acks: -1 });
      return { acked: rows, failed: [] };
    } catch (e) {
      if (classifySendError(e) === 'outage') {
        void this.dropProducer();
        return { acked: [], failed: [], outage: e };
      }
      if (rows.length === 1) return { acked: [], failed: [{ row: rows[0], error: e }] };
    }
    const result: SendResult = { acked: [], failed: [] };
    const blocked = new Set<string>();
    for (const row of rows) {
      if (row.key !== null && blocked.has(row.key)) continue;
      try {
        await producer.sendBatch({ topicMessages: toTopicMessages([row]), acks: -1 });
        result.acked.push(row);
      } catch (e) {
        if (classifySendError(e) === 'outage') {
          void this.dropProducer();
          result.outage = e;
          return result;
        }
        result.failed.push({ row, error: e });
        if (row.key !== null) blocked.add(row.key);
      }
    }
    return result;
  }

  /**
   * The relay's own idempotent producer (same safe defaults as `KafkaClient.producer()`), so it can be
   * replaced after an outage without touching the app's shared producer.
   */
  private async getProducer(): Promise<Producer> {
    this.producer ??= this.kafka.createProducer();
    try {
      return await this.producer;
    } catch (e) {
      this.producer = undefined;
      throw new KafkaOutage(e);
    }
  }

  private async dropProducer(): Promise<void> {
    const pending = this.producer;
    this.producer = undefined;
    const producer = await pending?.catch(() => undefined);
    if (producer) await this.kafka.closeProducer(producer);
  }

  private enterOutage(kind: 'kafka' | 'database', error: unknown): void {
    this.outagesTotal++;
    this.outageStreak++;
    if (kind === 'kafka') this.brokerAvailable = false;
    else this.databaseAvailable = false;
    const delay = backoffDelay(this.outageStreak, this.context.options.relay.outageBackoff);
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + delay);
    if (this.outageStreak === 1 || this.outageStreak % 10 === 0) {
      const text = kind === 'kafka' ? describeSendError(error) : (error as Error)?.message ?? String(error);
      this.logger.warn(`outbox relay paused ${delay} ms: ${kind} unavailable (${text}); attempt ${this.outageStreak}`);
    }
    this.wakeAtTime(this.pausedUntil);
    if (kind === 'database') setTimeout(() => void this.poll(), delay + 1).unref();
  }
}

/** Group rows by topic, keeping row order inside each topic (and so inside each partition). */
export function toTopicMessages(rows: OutboxRow[]): TopicMessages[] {
  const byTopic = new Map<string, Message[]>();
  for (const row of rows) {
    let messages = byTopic.get(row.topic);
    if (!messages) byTopic.set(row.topic, (messages = []));
    messages.push({ key: row.key, value: row.payload, headers: row.headers });
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}

/** What a slow batch log says: table, lanes, row count and topics (never payloads or keys). */
export function describeBatch(table: string, lanes: readonly number[], rows: ReadonlyArray<Pick<OutboxRow, 'topic'>>): string {
  const topics = [...new Set(rows.map((r) => r.topic))];
  const shown = topics.length > 5 ? `${topics.slice(0, 5).join(', ')} and ${topics.length - 5} more` : topics.join(', ') || 'none';
  return `outbox relay batch on ${table} (${lanes.length} lanes, ${rows.length} rows, topics: ${shown})`;
}
