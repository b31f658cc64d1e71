import {
  decodeEnvelope,
  InvalidIntegrationEventException,
  materializeIntegrationEvent,
  MessageDecodeException,
  type EventEnvelope,
} from '@tributary/kafka';
import { getMetadataStorage } from 'class-validator';
import type { KafkaMessage } from 'kafkajs';
import type { EntityManager } from 'typeorm';
import { UpcastException } from '../exceptions/upcast.exception';
import type { ProjectionContext } from '../interfaces/projection-context.interface';
import { UnknownEventPolicy } from '../interfaces/projection-policies.enum';
import { MessageProjectionContext } from './message-projection-context';
import type { PreparedMessage } from './prepared-message';
import type { ProjectionDefinition } from './projection-definition';

const validationRules = new WeakMap<object, boolean>();
/**
 * Whether class-validator holds any rule for an event class. Validating an instance of a class
 * without rules finds nothing but still walks the metadata (a few microseconds per event), so
 * such classes skip it. Looked up once per class: decorators have run by the time events arrive.
 */
function hasValidationRules(eventClass: new (...args: any[]) => object): boolean {
  let has = validationRules.get(eventClass);
  if (has === undefined) {
    has = getMetadataStorage().getTargetValidationMetadatas(eventClass, '', true, false).length > 0;
    validationRules.set(eventClass, has);
  }
  return has;
}

/**
 * Turns consumed messages into what handlers take: decode the envelope, route by event type,
 * upcast and validate (no I/O). A message that cannot be applied comes back with its failure.
 */
export class ProjectionMessagePreparer {
  constructor(private readonly definition: ProjectionDefinition) {}

  /** Decode, route, upcast and validate one message. */
  prepare(message: KafkaMessage): PreparedMessage {
    let envelope: EventEnvelope;
    try {
      envelope = decodeEnvelope(message);
    } catch (e) {
      if (e instanceof MessageDecodeException) return { message, failure: { reason: 'undecodable', error: e.message, attempts: 0 } };
      throw e;
    }
    const route = this.definition.routes.get(envelope.type);
    if (!route) {
      if (this.definition.options.unknownEventPolicy === UnknownEventPolicy.DeadLetter) {
        return { message, envelope, failure: { reason: 'unknown-type', error: `no handler for event type "${envelope.type}"`, attempts: 0 } };
      }
      return { message, envelope };
    }
    const payload = envelope.payload;
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
      return { message, envelope, route, failure: { reason: 'invalid', error: `payload of "${envelope.type}" is not a JSON object`, attempts: 0 } };
    }
    try {
      const current =
        route.version === undefined
          ? (payload as Record<string, unknown>)
          : this.definition.upcasters.upcast(envelope.type, payload as Record<string, unknown>, envelope.version, route.version);
      const event = route.eventClass ? materializeIntegrationEvent(route.eventClass, current, { validate: hasValidationRules(route.eventClass) }) : current;
      return { message, envelope, route, event };
    } catch (e) {
      if (e instanceof UpcastException) return { message, envelope, route, failure: { reason: 'unsupported-version', error: e.message, attempts: 0 } };
      if (e instanceof InvalidIntegrationEventException) return { message, envelope, route, failure: { reason: 'invalid', error: e.message, attempts: 0 } };
      throw e;
    }
  }

  /** The context a handler gets for a prepared (decoded) message, in the batch's transaction. */
  contextOf(manager: EntityManager, topic: string, partition: number, item: PreparedMessage): ProjectionContext {
    return new MessageProjectionContext(manager, this.definition.options.name, topic, partition, item.message.offset, item.envelope!, item.message.headers);
  }
}
