import { Injectable, type OnModuleInit } from '@nestjs/common';
import {
  encodeEnvelope,
  getIntegrationEventMetadata,
  InvalidIntegrationEventException,
  KafkaClient,
  newEventId,
  serializeIntegrationEvent,
  ServiceTopology,
  type IntegrationEventMetadata,
} from '@tributary/kafka';
import type { EntityManager } from 'typeorm';
import { OutboxConfigurationException } from '../exceptions/outbox-configuration.exception';
import { OutboxLaneCountMismatchException } from '../exceptions/outbox-lane-count-mismatch.exception';
import { OutboxTransactionRequiredException } from '../exceptions/outbox-transaction-required.exception';
import { OutboxPublishTrace } from '../observability/outbox-tracing';
import { OutboxContext } from '../outbox.context';
import type { NewOutboxRow } from '../store/outbox-row.interface';
import { QueryRunnerSession } from '../store/sql-session';
import { laneOfEvent } from '../util/lane-hash';

/** Per-call options of `publish`. */
export interface OutboxPublishOptions {
  /** Extra Kafka headers (string values) added to every event of the call. @default {} */
  headers?: Record<string, string>;
  /**
   * W3C trace context of the caller; the events' `create` spans are its children.
   * @default the active OpenTelemetry context (a new trace when none is active)
   */
  traceparent?: string;
}

/**
 * Stores integration events in the outbox table inside the caller's TypeORM transaction. Every
 * event is checked before anything is written: one bad event throws and writes nothing, so the
 * caller's transaction rolls back whole.
 *
 * ```ts
 * await dataSource.transaction(async (manager) => {
 *   await manager.insert(Order, order);
 *   await outbox.publish(manager, new OrderPlaced(order.id, order.total));
 * });
 * ```
 */
@Injectable()
export class OutboxPublisher implements OnModuleInit {
  private readonly registered = new Set<Function>();

  constructor(
    private readonly context: OutboxContext,
    private readonly kafka: KafkaClient,
    private readonly topology: ServiceTopology,
  ) {}

  onModuleInit(): void {
    for (const eventClass of this.context.options.events) {
      const metadata = getIntegrationEventMetadata(eventClass);
      if (!metadata) {
        throw new OutboxConfigurationException(`\`events\` lists ${eventClass.name}, which has no @IntegrationEvent decorator`);
      }
      this.register(metadata);
    }
  }

  /**
   * Store one event or several, in order, in the transaction of `manager`. Resolves to their event
   * ids. Throws `OutboxTransactionRequiredException` outside a transaction and
   * `InvalidIntegrationEventException` for an invalid event; nothing is written in either case.
   * Throws `OutboxLaneCountMismatchException` when the table was re-laned since this instance
   * started (its `lanes` is stale): the caller's transaction must roll back.
   */
  async publish(manager: EntityManager, eventOrEvents: object | readonly object[], options: OutboxPublishOptions = {}): Promise<string[]> {
    const runner = manager?.queryRunner;
    if (!runner?.isTransactionActive) throw new OutboxTransactionRequiredException();
    if (manager.connection !== this.context.dataSource) {
      throw new OutboxConfigurationException('publish got an EntityManager of another DataSource than the one OutboxModule uses');
    }
    const events = Array.isArray(eventOrEvents) ? eventOrEvents : [eventOrEvents];
    const extraHeaders = this.checkHeaders(options.headers);
    const now = new Date();
    const { lanes } = this.context.options;
    const rows: NewOutboxRow[] = [];
    const seen: IntegrationEventMetadata[] = [];
    const trace = new OutboxPublishTrace(options.traceparent);
    try {
      for (const event of events) {
        const { metadata, key, payload } = serializeIntegrationEvent(event);
        const eventId = newEventId();
        const message = encodeEnvelope({
          eventId,
          type: metadata.type,
          version: metadata.version,
          key,
          occurredAt: now.toISOString(),
          source: this.kafka.serviceName,
          contentType: 'application/json',
          traceparent: trace.startEvent(metadata.topic, eventId, key),
          headers: extraHeaders,
          payload,
        });
        rows.push({
          eventId,
          topic: metadata.topic,
          key,
          type: metadata.type,
          version: metadata.version,
          payload: (message.value as Buffer).toString('utf8'),
          headers: message.headers as Record<string, string>,
          lane: laneOfEvent(key, eventId, lanes),
          createdAt: now,
        });
        seen.push(metadata);
      }
      if (rows.length > 0) {
        const store = this.context.store;
        const session = new QueryRunnerSession(runner);
        // The lane count is read after the insert: a re-lane either waits for this transaction or is seen here.
        const recorded = await store.insertAndReadLaneCount(session, rows, runner);
        if (recorded !== undefined && recorded !== lanes) {
          throw new OutboxLaneCountMismatchException(this.context.options.tableName, recorded, lanes);
        }
      }
    } catch (e) {
      trace.end(e);
      throw e;
    }
    trace.end();
    for (const metadata of seen) this.register(metadata);
    return rows.map((r) => r.eventId);
  }

  private checkHeaders(headers: Record<string, string> | undefined): Record<string, string> {
    if (headers === undefined) return {};
    if (headers === null || typeof headers !== 'object') {
      throw new InvalidIntegrationEventException('publish option `headers` must be an object of string values');
    }
    for (const [name, value] of Object.entries(headers)) {
      if (typeof value !== 'string') {
        throw new InvalidIntegrationEventException(`publish option \`headers.${name}\` must be a string, got ${typeof value}`);
      }
    }
    return headers;
  }

  private register(metadata: IntegrationEventMetadata): void {
    if (this.registered.has(metadata.target)) return;
    this.registered.add(metadata.target);
    this.topology.addPublished({ type: metadata.type, topic: metadata.topic, version: metadata.version });
  }
}
