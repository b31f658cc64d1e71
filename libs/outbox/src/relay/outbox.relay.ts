import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { backoffDelay, getIntegrationEventMetadata, KafkaClient } from '@tributary/kafka';
import { performance } from 'node:perf_hooks';
import { Subject, type Observable } from 'rxjs';
import { OutboxMetrics, type OutboxOutageKind } from '../observability/outbox-metrics';
import { OutboxContext } from '../outbox.context';
import type { OutboxWakeupListener } from '../store/outbox.store';
import { KafkaBatchSender } from './kafka-batch.sender';
import { describeSendError } from './kafka-send-error';
import { LaneBatchShipper, type BatchOutcome } from './lane-batch.shipper';
import { LaneScheduler } from './lane.scheduler';
import type { OutboxRelayMetrics, OutboxShippedBatch } from './outbox-relay.interfaces';
import { RelayTelemetry } from './relay.telemetry';
import { RetentionSweeper } from './retention.sweeper';

export type { OutboxBatchTimings, OutboxRelayMetrics, OutboxShippedBatch } from './outbox-relay.interfaces';

/**
 * Ships outbox rows to Kafka. Rows are hashed into lanes by key; a lane's rows go out strictly in
 * id order, one batch at a time, each batch marked published only after Kafka acked it. Lanes ship
 * in parallel (`concurrency` per instance) and any number of instances may run: a lane is leased
 * by one relay for the length of a batch, and no database connection is held during the Kafka
 * send. Delivery is at least once: a crash between the ack and the commit sends that batch again,
 * still in order, once the lease expired.
 *
 * This class runs the lifecycle (start, stop, polling, wake-ups) and outages; the pieces it
 * builds do the rest: `LaneScheduler` (which lanes next), `LaneBatchShipper` (one batch),
 * `KafkaBatchSender` (producer, topics, send), `RetentionSweeper` and `RelayTelemetry`.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(OutboxRelay.name);
  private readonly shipped = new Subject<OutboxShippedBatch>();
  /** Batches acked by Kafka, each emitted once its rows' `published` mark has committed. */
  readonly shipped$: Observable<OutboxShippedBatch> = this.shipped.asObservable();

  private running = false;
  private pausedUntil = 0;
  private outageStreak = 0;
  private polling = false;
  private lanesSeeded = false;
  private pollTimer?: NodeJS.Timeout;
  private listener?: OutboxWakeupListener;
  private brokerAvailable = true;
  private databaseAvailable = true;

  private readonly telemetry: RelayTelemetry;
  private readonly sender: KafkaBatchSender;
  private readonly shipper: LaneBatchShipper;
  private readonly scheduler: LaneScheduler;
  private readonly sweeper: RetentionSweeper;

  constructor(
    private readonly context: OutboxContext,
    private readonly kafka: KafkaClient,
    metrics: OutboxMetrics,
  ) {
    const { relay, tableName, topics } = context.options;
    const host = { isRunning: () => this.running, pausedUntil: () => this.pausedUntil };
    this.telemetry = new RelayTelemetry(metrics, tableName, this.logger, relay.slowBatchThresholdMs ?? kafka.options.slowOperationThresholdMs);
    this.sender = new KafkaBatchSender(kafka, topics, this.telemetry);
    this.shipper = new LaneBatchShipper(context, this.sender, this.telemetry, this.logger, (batch) => this.shipped.next(batch));
    this.scheduler = new LaneScheduler({
      ...host,
      concurrency: relay.concurrency,
      lanesPerBatch: relay.lanesPerBatch,
      runBatch: (lanes, signalledAt) => this.runBatch(lanes, signalledAt),
    });
    this.sweeper = new RetentionSweeper(context, this.logger, host);
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
    await this.sender.ensureTopics(declared).catch((e: Error) => this.logger.warn(`could not create event topics yet: ${e.message}`));
    this.start();
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
    this.sweeper.start();
    void this.poll();
  }

  /** Stop taking new batches, wait for the running ones, close the relay's producers. Idempotent. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearInterval(this.pollTimer);
    this.sweeper.stop();
    await this.listener?.stop();
    this.listener = undefined;
    await this.scheduler.drain();
    await this.sender.close();
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
      shippedTotal: this.telemetry.shippedTotal,
      shippedPerSecond: this.telemetry.shippedPerSecond,
      failuresTotal: this.telemetry.failuresTotal,
      outagesTotal: this.telemetry.outagesTotal,
    };
  }

  /** Delete published rows older than `relay.retentionMs` now (the sweep also runs on its timer). */
  sweep(): Promise<number> {
    return this.sweeper.sweep();
  }

  /** New rows in `lanes` (NOTIFY), or unknown lanes (`undefined`: scan the table). */
  private signal(lanes: number[] | undefined): void {
    if (lanes) this.scheduler.signal(lanes);
    else void this.poll();
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
      this.scheduler.addWork(lanes);
    } catch (e) {
      this.enterOutage('database', e);
    } finally {
      this.polling = false;
    }
  }

  private async runBatch(lanes: number[], signalledAt: number): Promise<void> {
    let outcome: BatchOutcome | undefined;
    const startedAt = performance.now();
    try {
      outcome = await this.shipper.ship(lanes, signalledAt);
      this.databaseAvailable = true;
    } catch (e) {
      // Kafka outages come back in the outcome; what throws is the database.
      this.enterOutage('database', e);
      return;
    } finally {
      this.telemetry.batchFinished(performance.now() - startedAt, lanes, outcome?.sent ?? []);
    }
    if (outcome?.outage !== undefined) {
      this.enterOutage('kafka', outcome.outage);
    } else if (outcome && outcome.shipped > 0) {
      this.brokerAvailable = true;
      this.outageStreak = 0;
    }
    this.scheduler.settle(lanes, outcome);
  }

  private enterOutage(kind: OutboxOutageKind, error: unknown): void {
    this.telemetry.outage(kind);
    this.outageStreak++;
    if (kind === 'kafka') this.brokerAvailable = false;
    else this.databaseAvailable = false;
    const delay = backoffDelay(this.outageStreak, this.context.options.relay.outageBackoff);
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + delay);
    if (this.outageStreak === 1 || this.outageStreak % 10 === 0) {
      const text = kind === 'kafka' ? describeSendError(error) : (error as Error)?.message ?? String(error);
      this.logger.warn(`outbox relay paused ${delay} ms: ${kind} unavailable (${text}); attempt ${this.outageStreak}`);
    }
    this.scheduler.wakeAtTime(this.pausedUntil);
    if (kind === 'database') setTimeout(() => void this.poll(), delay + 1).unref();
  }
}
