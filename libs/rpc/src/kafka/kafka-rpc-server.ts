import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { Attributes } from '@opentelemetry/api';
import {
  headersToStrings,
  jsonCodec,
  KafkaClient,
  MESSAGING_SYSTEM_KAFKA,
  MessagingAttributes,
  ServiceTopology,
  TributaryHeaders,
  type ConsumedBatch,
  type KafkaConsumerRunner,
} from '@tributary/kafka';
import type { KafkaMessage } from 'kafkajs';
import { ReplyTopicGoneError } from '../errors/reply-topic-gone.error';
import { RpcHeaders } from '../rpc.constants';
import { localDeadline } from '../rpc-deadline';
import { RpcSettings } from '../rpc-settings';
import { rpcRequestTopic, rpcServerGroup } from '../rpc-topics';
import { RpcDispatcher } from '../server/rpc-dispatcher';
import { KafkaReplyProducer } from './kafka-reply-producer';
import { afterQueuedSends, SendQueue } from './send-queue';

/** Requests served at the same time by one instance; past it, fetching waits (backpressure). */
const MAX_IN_FLIGHT = 1024;

/** Headers that are ours, not the caller's. */
const OWN_HEADERS = new Set<string>([...Object.values(RpcHeaders), TributaryHeaders.CONTENT_TYPE, TributaryHeaders.TRACEPARENT]);

/**
 * Serves the app's `@RpcHandler`s from its request topic. All instances of the service share one
 * consumer group, so Kafka balances partitions between them and hands a dead instance's partitions
 * (with their uncommitted requests) to the others.
 */
@Injectable()
export class KafkaRpcServer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(KafkaRpcServer.name);
  private readonly replies: KafkaReplyProducer;
  private readonly queue: SendQueue;
  private consumer?: KafkaConsumerRunner;
  private joined?: Promise<void>;
  private readonly inFlight = new Set<Promise<void>>();
  /** messaging.* attributes of every SERVER span (one topic and group per app). */
  private spanAttributes?: Attributes;

  constructor(
    private readonly kafka: KafkaClient,
    private readonly settings: RpcSettings,
    private readonly dispatcher: RpcDispatcher,
    private readonly topology: ServiceTopology,
  ) {
    this.replies = new KafkaReplyProducer(kafka, settings.value.acks);
    this.queue = new SendQueue((topicMessages) => this.replies.deliver(topicMessages));
  }

  async onApplicationBootstrap(): Promise<void> {
    const methods = this.dispatcher.methods();
    if (methods.length === 0) return;
    const { topicPrefix, service, requestPartitions, sessionTimeoutMs } = this.settings.value;
    for (const method of methods) this.topology.addServed({ method, transport: 'kafka' });
    const topic = rpcRequestTopic(topicPrefix, service);
    const groupId = rpcServerGroup(topicPrefix, service);
    this.spanAttributes = {
      [MessagingAttributes.SYSTEM]: MESSAGING_SYSTEM_KAFKA,
      [MessagingAttributes.DESTINATION_NAME]: topic,
      [MessagingAttributes.OPERATION_TYPE]: 'process',
      [MessagingAttributes.OPERATION_NAME]: 'process',
      [MessagingAttributes.CONSUMER_GROUP_NAME]: groupId,
    };
    await this.kafka.admin.ensureTopics([{ topic, numPartitions: requestPartitions }]);
    await this.replies.start();
    const consumer = this.kafka.createConsumer({
      groupId,
      topics: [topic],
      // Requests sent before the first server joined are still answered (expired ones are dropped).
      fromBeginning: true,
      sessionTimeout: sessionTimeoutMs,
      heartbeatInterval: Math.max(500, Math.floor(sessionTimeoutMs / 10)),
      maxWaitTimeInMs: 50,
      partitionsConsumedConcurrently: requestPartitions,
      eachBatch: (batch) => this.onRequests(batch),
    });
    this.consumer = consumer;
    this.joined = new Promise<void>((resolve) => consumer.consumer.on(consumer.consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.start();
  }

  /** Resolves once this instance has joined the service's consumer group (or at once when it serves nothing). */
  ready(): Promise<void> {
    return this.joined ?? Promise.resolve();
  }

  async beforeApplicationShutdown(): Promise<void> {
    // Leaving the group hands the partitions over at once; requests in hand are answered first.
    await this.consumer?.stop();
    await Promise.all([...this.inFlight]);
    await this.replies.close();
  }

  /**
   * Requests are independent, so they are not served in offset order: each one starts at once and
   * the offset moves on, so a slow handler never holds up the requests behind it (kafkajs fetches
   * again only once a batch returns). The price: requests in hand when a process crashes are not
   * redelivered and end at their callers' deadline; requests not yet fetched go to the survivors.
   */
  private async onRequests(batch: ConsumedBatch): Promise<void> {
    for (const message of batch.messages) {
      const serving: Promise<void> = this.serve(message)
        .catch((e: Error) => this.logger.error(`serving a request failed: ${e.message}`))
        .finally(() => this.inFlight.delete(serving));
      this.inFlight.add(serving);
    }
    const last = batch.messages[batch.messages.length - 1];
    if (last) batch.resolveOffset(last.offset);
    // The replies of requests answered in this turn leave before kafkajs commits and fetches again.
    await afterQueuedSends();
    while (this.inFlight.size >= MAX_IN_FLIGHT) await Promise.race(this.inFlight);
  }

  private async serve(message: KafkaMessage): Promise<void> {
    const headers = headersToStrings(message.headers);
    const method = headers[RpcHeaders.METHOD];
    const correlationId = headers[RpcHeaders.CORRELATION_ID];
    const replyTo = headers[RpcHeaders.REPLY_TO];
    // The caller's remaining budget from now, on this machine's clock (see rpc-deadline.ts).
    const deadline = localDeadline(headers[RpcHeaders.TIMEOUT_MS], headers[RpcHeaders.DEADLINE]);
    if (!method || !correlationId || !replyTo || deadline === undefined) {
      this.logger.warn(`ignoring a request without method, correlation id, reply topic or deadline (offset ${message.offset})`);
      return;
    }
    let payload: unknown = null;
    let undecodable: string | undefined;
    try {
      if (message.value && message.value.length > 0) payload = jsonCodec.decode(message.value);
    } catch (e) {
      undecodable = (e as Error).message;
    }
    const callerHeaders: Record<string, string> = {};
    for (const [k, v] of Object.entries(headers)) if (!OWN_HEADERS.has(k)) callerHeaders[k] = v;
    const reply = await this.dispatcher.dispatch({
      method,
      payload,
      undecodable,
      correlationId,
      deadline,
      transport: 'kafka',
      headers: callerHeaders,
      traceparent: headers[TributaryHeaders.TRACEPARENT],
      spanAttributes: this.spanAttributes,
    });
    // Expired: the caller has given up, an answer would only be noise on its reply topic.
    if (!reply || deadline <= Date.now()) return;
    const partition = Number(headers[RpcHeaders.REPLY_PARTITION]);
    await this.queue
      .send(replyTo, {
        partition: Number.isInteger(partition) && partition >= 0 ? partition : undefined,
        value: jsonCodec.encode(reply),
        headers: {
          [RpcHeaders.CORRELATION_ID]: correlationId,
          [RpcHeaders.STATUS]: reply.ok ? 'ok' : 'error',
          [TributaryHeaders.CONTENT_TYPE]: jsonCodec.contentType,
        },
      })
      .catch((e: Error) => {
        // A vanished reply topic is logged once, when it is found gone.
        if (!(e instanceof ReplyTopicGoneError)) this.logger.warn(`could not reply to ${replyTo} for ${method}: ${e.message}`);
      });
  }
}
