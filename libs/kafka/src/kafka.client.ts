import { Inject, Injectable, Logger, Optional, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Kafka, Partitioners, type Producer, type ProducerConfig } from 'kafkajs';
import type { Counter } from 'prom-client';
import { KafkaAdmin } from './admin/kafka-admin';
import { KafkaConsumerRunner, type ConsumerRunnerOptions } from './consumer/kafka-consumer-runner';
import { KafkaConnectionException } from './exceptions/kafka-connection.exception';
import { KAFKA_MODULE_OPTIONS } from './kafka-module-definition';
import { KAFKAJS_LOG_LEVEL, nestLogCreator } from './kafka-logger';
import { resolveKafkaOptions, type ResolvedKafkaOptions } from './kafka-options.validator';
import type { KafkaModuleOptions } from './interfaces/kafka-module-options.interface';
import { MetricLabels } from './observability/messaging-attributes';
import { TributaryMetrics } from './observability/tributary-metrics';
import { ProducerPool, type ProducerPoolOptions } from './producers/producer-pool';
import { sharedProducer } from './producers/shared-producer';
import { withTimeout } from './with-timeout';

/**
 * The app's one Kafka client: a kafkajs instance, a shared idempotent producer, an admin helper
 * and the consumers the libs create. Everything it opened is closed on application shutdown.
 */
@Injectable()
export class KafkaClient implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(KafkaClient.name);
  readonly options: ResolvedKafkaOptions;
  readonly kafka: Kafka;
  readonly admin: KafkaAdmin;
  private readonly producers = new Map<Producer, Promise<Producer>>();
  private readonly connectedProducers = new Set<Producer>();
  /** The shared producer's pool: one producer, replaced (successor first) after a failed call. */
  private readonly sharedPool: ProducerPool;
  private readonly sharedFacade: Producer;
  private sharedProducer?: Promise<Producer>;
  private readonly consumers = new Set<KafkaConsumerRunner>();
  private closed = false;
  private readonly sendErrors?: Counter.Internal;

  constructor(
    @Inject(KAFKA_MODULE_OPTIONS) options: KafkaModuleOptions,
    /** Where the client's and its consumers' metrics go (KafkaModule provides it). */
    @Optional() private readonly metrics?: TributaryMetrics,
  ) {
    this.options = resolveKafkaOptions(options);
    this.kafka = new Kafka({
      clientId: this.options.clientId,
      brokers: this.options.brokers,
      ssl: this.options.ssl,
      sasl: this.options.sasl,
      connectionTimeout: this.options.connectionTimeout,
      requestTimeout: this.options.requestTimeout,
      retry: this.options.retry,
      logLevel: KAFKAJS_LOG_LEVEL[this.options.logLevel],
      logCreator: nestLogCreator,
    });
    this.admin = new KafkaAdmin(this.kafka, this.options.connectTimeoutMs);
    this.sendErrors = metrics
      ?.counter({
        name: 'tributary_kafka_producer_send_errors_total',
        help: 'send/sendBatch calls of this service\'s producers that failed (after kafkajs\' retries), by service.',
        labelNames: [MetricLabels.SERVICE],
      })
      .labels(this.options.serviceName);
    this.sharedPool = this.createProducerPool({ maxProducers: 1, replaceRetired: true });
    this.sharedFacade = sharedProducer(this.sharedPool, this.kafka.logger());
  }

  /** Name of this service (`serviceName` option). */
  get serviceName(): string {
    return this.options.serviceName;
  }

  async onModuleInit(): Promise<void> {
    if (this.options.connectOnBootstrap) await this.producer();
  }

  /**
   * The shared producer: idempotent, acks=all, one request in flight per broker (so retries keep
   * order), murmur2 partitioning like the Java client. Connected on first call, within
   * `connectTimeoutMs`. Its `send` and `sendBatch` calls run one at a time on one producer, and a
   * producer a call failed on is replaced (its successor connects first): see `ProducerPool` for
   * why. The same object for the client's lifetime, closed with the client.
   */
  producer(): Promise<Producer> {
    this.sharedProducer ??= this.sharedPool.run(async () => this.sharedFacade).catch((e: unknown) => {
      this.sharedProducer = undefined;
      throw e;
    });
    return this.sharedProducer;
  }

  /** True while a producer of this client (the shared one or one from `createProducer`) is connected. */
  get producerConnected(): boolean {
    return this.connectedProducers.size > 0;
  }

  /**
   * A new connected producer with the same safe defaults as the shared one, overridable with
   * `config` (e.g. `{ idempotent: false, maxInFlightRequests: 5 }` for latency-bound replies).
   * An idempotent one is not guarded like the shared producer: make one call at a time on it and
   * close it after a call failed (see `ProducerPool` for why), or take producers from
   * `createProducerPool`, which does both.
   */
  async createProducer(config: ProducerConfig = {}): Promise<Producer> {
    this.assertOpen();
    const idempotent = config.idempotent ?? true;
    const producer = this.kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      idempotent,
      maxInFlightRequests: idempotent ? 1 : undefined,
      allowAutoTopicCreation: false,
      ...config,
    });
    this.countSendErrors(producer);
    producer.on(producer.events.CONNECT, () => this.connectedProducers.add(producer));
    producer.on(producer.events.DISCONNECT, () => this.connectedProducers.delete(producer));
    const connecting = withTimeout(
      producer.connect(),
      this.options.connectTimeoutMs,
      () => new KafkaConnectionException(this.options.brokers, this.options.connectTimeoutMs),
    ).then(
      () => producer,
      async (e: unknown) => {
        this.producers.delete(producer);
        await producer.disconnect().catch(() => undefined);
        throw e instanceof KafkaConnectionException
          ? e
          : new KafkaConnectionException(this.options.brokers, this.options.connectTimeoutMs, e);
      },
    );
    this.producers.set(producer, connecting);
    return connecting;
  }

  /**
   * A pool of producers made by `createProducer(config)`, each lent to one caller at a time and
   * closed after a call on it failed: the safe way to send concurrently on idempotent producers.
   */
  createProducerPool(options: ProducerPoolOptions = {}, config: ProducerConfig = {}): ProducerPool {
    return new ProducerPool({ create: () => this.createProducer(config), close: (producer) => this.closeProducer(producer) }, options);
  }

  /** Disconnect a producer made by `createProducer`. */
  async closeProducer(producer: Producer): Promise<void> {
    this.producers.delete(producer);
    await producer.disconnect().catch(() => undefined);
  }

  /** A consumer runner bound to this client; it is stopped at shutdown if still running. */
  createConsumer(options: ConsumerRunnerOptions): KafkaConsumerRunner {
    this.assertOpen();
    const runner = new KafkaConsumerRunner(
      this.kafka,
      options,
      this.options.connectTimeoutMs,
      (r) => this.consumers.delete(r),
      this.metrics,
    );
    this.consumers.add(runner);
    return runner;
  }

  /** Check that the cluster answers within `timeoutMs`; resolves to the number of live brokers. */
  async ping(timeoutMs = 3000): Promise<number> {
    const admin = await withTimeout(this.admin.client(), timeoutMs, () => new Error(`no answer within ${timeoutMs} ms`));
    const cluster = await withTimeout(admin.describeCluster(), timeoutMs, () => new Error(`no answer within ${timeoutMs} ms`));
    return cluster.brokers.length;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  /** Stop consumers, then disconnect producers and the admin. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.consumers].map((c) => c.stop()));
    const producers = [...this.producers.values()];
    this.producers.clear();
    await Promise.all(
      producers.map(async (p) => {
        const producer = await p.catch(() => undefined);
        await producer?.disconnect().catch((e: Error) => this.logger.warn(`producer disconnect failed: ${e.message}`));
      }),
    );
    this.sharedProducer = undefined;
    await this.admin.close();
  }

  /**
   * kafkajs has no event for a failed send: wrap the producer's `send` and `sendBatch` so that each
   * call that rejects (after kafkajs' own retries) counts once, whatever the cause (broker refused
   * the message, broker unreachable, producer disconnected).
   */
  private countSendErrors(producer: Producer): void {
    const counter = this.sendErrors;
    if (!counter) return;
    const { send, sendBatch } = producer;
    const counted = <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
      (...args: A): Promise<R> =>
        fn(...args).catch((e: unknown) => {
          counter.inc();
          throw e;
        });
    producer.send = counted(send);
    producer.sendBatch = counted(sendBatch);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('KafkaClient is closed (the application is shutting down)');
  }
}
