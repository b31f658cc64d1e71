import { Injectable, Logger, Optional, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { Attributes } from '@opentelemetry/api';
import { DiscoverySettings, defaultInstanceId } from '@tributary/discovery';
import {
  headersToStrings,
  jsonCodec,
  KafkaClient,
  MESSAGING_SYSTEM_KAFKA,
  MessagingAttributes,
  TributaryHeaders,
  type ConsumedBatch,
  type KafkaConsumerRunner,
} from '@tributary/kafka';
import type { Producer } from 'kafkajs';
import { randomBytes } from 'node:crypto';
import { CorrelationIds } from '../client/correlation-ids';
import { PendingCalls } from '../client/pending-calls';
import { RpcClientTransport, type OutgoingRpcRequest } from '../client/rpc-client-transport';
import { isRpcReply, type RpcReply } from '../errors/rpc-error.codec';
import { RpcClientClosedException } from '../exceptions/rpc-client-closed.exception';
import { RpcDeadlineExceededException } from '../exceptions/rpc-deadline-exceeded.exception';
import { RpcUnavailableException } from '../exceptions/rpc-unavailable.exception';
import { RpcHeaders } from '../rpc.constants';
import { remainingBudgetMs } from '../rpc-deadline';
import { RpcSettings } from '../rpc-settings';
import { rpcReplyTopic, rpcRequestTopic } from '../rpc-topics';
import { afterQueuedSends, producerBatchSender, SendQueue } from './send-queue';

/** How long a reply topic is kept if its instance dies without deleting it, ms. */
const REPLY_RETENTION_MS = String(60 * 60 * 1000);

/**
 * Calls over Kafka: requests go to the service's request topic; replies come back on a topic of
 * this instance alone (created at start, deleted on graceful stop), so any number of caller
 * instances each get their own replies (unlike ClientKafka's shared reply partitions).
 *
 * The reply topic is named after the instance id, so a caller restarted with a configured id
 * finds its old topic, with old replies and late ones still coming. It reads it through a consumer
 * group of its own process start (nothing to wait for from a dead member of an earlier start),
 * from the topic's end as it was before the first request left, and correlation ids never repeat
 * across starts: an old reply is never read, or else matches no call and is ignored.
 */
@Injectable()
export class KafkaRpcClientTransport extends RpcClientTransport implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(KafkaRpcClientTransport.name);
  private readonly pending = new PendingCalls();
  private readonly services = new Set<string>();
  private readonly ensuredServices = new Map<string, Promise<void>>();
  private readonly spanAttributesOf = new Map<string, Attributes>();
  private readonly instanceId: string;
  private readonly queue: SendQueue;
  private readonly correlationIds = new CorrelationIds();
  private producer?: Producer;
  private consumer?: KafkaConsumerRunner;
  private starting?: Promise<void>;
  private closed = false;
  /** Next offset of the reply topic to read: the topic's end before the first request, then past each reply read. */
  private replyPosition = 0n;

  constructor(
    private readonly kafka: KafkaClient,
    private readonly settings: RpcSettings,
    @Optional() discovery?: DiscoverySettings,
  ) {
    super();
    this.queue = new SendQueue(producerBatchSender(() => this.producer, settings.value.acks));
    this.instanceId = discovery?.value.instanceId ?? defaultInstanceId();
  }

  /** This instance's reply topic. */
  get replyTopic(): string {
    return rpcReplyTopic(this.settings.value.topicPrefix, this.settings.value.service, this.instanceId);
  }

  /** Note a service this app calls, so its request topic is checked at start. */
  register(service: string): void {
    this.services.add(service);
  }

  /** messaging.* attributes of a call's CLIENT span: a send to the service's request topic. */
  override spanAttributes(service: string): Attributes {
    let attributes = this.spanAttributesOf.get(service);
    if (!attributes) {
      attributes = {
        [MessagingAttributes.SYSTEM]: MESSAGING_SYSTEM_KAFKA,
        [MessagingAttributes.DESTINATION_NAME]: rpcRequestTopic(this.settings.value.topicPrefix, service),
        [MessagingAttributes.OPERATION_TYPE]: 'send',
        [MessagingAttributes.OPERATION_NAME]: 'send',
      };
      this.spanAttributesOf.set(service, attributes);
    }
    return attributes;
  }

  async onApplicationBootstrap(): Promise<void> {
    // Started eagerly when clients are declared, so the first call does not pay for the setup.
    if (this.services.size > 0) await this.start();
  }

  /** Create the reply topic, join it and connect the producer. Idempotent. */
  start(): Promise<void> {
    this.starting ??= this.doStart().catch((e: unknown) => {
      this.starting = undefined;
      throw e;
    });
    return this.starting;
  }

  async send(request: OutgoingRpcRequest): Promise<RpcReply> {
    if (this.closed) throw new RpcClientClosedException(request.method);
    try {
      await Promise.all([this.start(), this.ensureService(request.service)]);
    } catch (e) {
      throw new RpcUnavailableException(request.service, request.method, (e as Error).message);
    }
    if (this.closed) throw new RpcClientClosedException(request.method);
    const id = this.correlationIds.next();
    const reply = this.pending.wait(id, request.deadline - Date.now(), {
      deadline: () => new RpcDeadlineExceededException(request.method, request.timeoutMs),
      closed: () => new RpcClientClosedException(request.method),
    });
    const headers: Record<string, string> = {
      ...request.headers,
      [RpcHeaders.METHOD]: request.method,
      [RpcHeaders.CORRELATION_ID]: id,
      [RpcHeaders.REPLY_TO]: this.replyTopic,
      [RpcHeaders.REPLY_PARTITION]: '0',
      [RpcHeaders.TIMEOUT_MS]: String(remainingBudgetMs(request.deadline)),
      // For servers that predate TIMEOUT_MS.
      [RpcHeaders.DEADLINE]: String(request.deadline),
      [TributaryHeaders.SOURCE]: this.settings.value.service,
      [TributaryHeaders.CONTENT_TYPE]: jsonCodec.contentType,
    };
    if (request.traceparent) headers[TributaryHeaders.TRACEPARENT] = request.traceparent;
    this.queue
      .send(rpcRequestTopic(this.settings.value.topicPrefix, request.service), { value: jsonCodec.encode(request.payload), headers })
      .catch((e: Error) => this.pending.fail(id, new RpcUnavailableException(request.service, request.method, e.message)));
    return reply;
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.pending.closeAll();
    const started = this.starting ? await this.starting.then(() => true).catch(() => false) : false;
    if (!started) return;
    await this.consumer?.stop();
    if (this.producer) await this.kafka.closeProducer(this.producer);
    this.producer = undefined;
    const admin = await this.kafka.admin.client();
    await admin.deleteTopics({ topics: [this.replyTopic], timeout: 5000 }).catch((e: Error) => {
      this.logger.warn(`could not delete reply topic ${this.replyTopic}: ${e.message}`);
    });
  }

  private ensureService(service: string): Promise<void> {
    let ensured = this.ensuredServices.get(service);
    if (!ensured) {
      ensured = this.kafka.admin.ensureTopics([
        { topic: rpcRequestTopic(this.settings.value.topicPrefix, service), numPartitions: this.settings.value.requestPartitions },
      ]);
      ensured.catch(() => this.ensuredServices.delete(service));
      this.ensuredServices.set(service, ensured);
    }
    return ensured;
  }

  private async doStart(): Promise<void> {
    const topic = this.replyTopic;
    await Promise.all([
      this.kafka.admin.ensureTopics([{ topic, numPartitions: 1, configEntries: { 'retention.ms': REPLY_RETENTION_MS } }]),
      ...[...this.services].map((s) => this.ensureService(s)),
    ]);
    // Not idempotent, acks per the `acks` option (1 by default): the latency-bound path.
    this.producer = await this.kafka.createProducer({ idempotent: false, maxInFlightRequests: 5 });
    // Taken before any request of this start leaves: every reply to one lies past it.
    this.replyPosition = (await this.kafka.admin.highWatermarks(topic)).get(0) ?? 0n;
    let positioned!: () => void;
    const ready = new Promise<void>((resolve) => (positioned = resolve));
    const consumer = this.kafka.createConsumer({
      // A group of this process start alone: a restarted caller never waits for the session of its
      // dead predecessor to expire, and no offset is ever committed, so the broker drops it when empty.
      groupId: `${topic}.${randomBytes(6).toString('hex')}`,
      topics: [topic],
      autoCommit: false,
      maxWaitTimeInMs: 50,
      eachBatch: (batch) => this.onReplies(batch),
      // Also after a rejoin (a consumer restart): no committed offset to resume from, so resume from ours.
      onAssigned: (assignment) => {
        if (assignment[topic]?.includes(0)) consumer.seek(topic, 0, this.replyPosition.toString());
        positioned();
      },
    });
    this.consumer = consumer;
    await consumer.start();
    await ready;
  }

  private async onReplies(batch: ConsumedBatch): Promise<void> {
    for (const message of batch.messages) {
      if (batch.isStale()) return;
      const headers = headersToStrings(message.headers);
      const id = headers[RpcHeaders.CORRELATION_ID];
      if (id && message.value) {
        let reply: unknown;
        try {
          reply = jsonCodec.decode(message.value);
        } catch {
          reply = undefined;
        }
        // A reply nobody waits for (late, duplicate, or to an earlier start of this instance) is dropped.
        if (isRpcReply(reply)) this.pending.settle(id, reply);
        else this.logger.warn(`ignoring a malformed reply to call ${id}`);
      }
      batch.resolveOffset(message.offset);
      this.replyPosition = BigInt(message.offset) + 1n;
    }
    // Requests the resumed callers send right away leave before kafkajs fetches again.
    await afterQueuedSends();
  }
}
