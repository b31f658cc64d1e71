import { headersToStrings, type EventEnvelope } from '@tributary/kafka';
import type { IHeaders } from 'kafkajs';
import type { EntityManager } from 'typeorm';
import type { ProjectionContext } from '../interfaces/projection-context.interface';

/**
 * The context of one consumed event. A class rather than an object literal with a closure: one is
 * built per event on the hot path, and most handlers never read the raw headers, which are decoded
 * on first read.
 */
export class MessageProjectionContext implements ProjectionContext {
  readonly key: string | null;
  readonly eventId: string;
  readonly type: string;
  readonly version: number;
  readonly occurredAt: string;
  readonly #rawHeaders: IHeaders | undefined;
  #headers?: Record<string, string>;

  constructor(
    readonly manager: EntityManager,
    readonly projection: string,
    readonly topic: string,
    readonly partition: number,
    readonly offset: string,
    envelope: EventEnvelope,
    rawHeaders: IHeaders | undefined,
  ) {
    this.key = envelope.key;
    this.eventId = envelope.eventId;
    this.type = envelope.type;
    this.version = envelope.version;
    this.occurredAt = envelope.occurredAt;
    this.#rawHeaders = rawHeaders;
  }

  get headers(): Record<string, string> {
    this.#headers ??= headersToStrings(this.#rawHeaders);
    return this.#headers;
  }
}
