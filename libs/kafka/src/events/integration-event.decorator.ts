import 'reflect-metadata';
import { DuplicateIntegrationEventException } from '../exceptions/duplicate-integration-event.exception';
import { isTributaryName } from '../naming/tributary-name';
import { isKafkaTopicName } from '../naming/kafka-topic-name';

/** How the partitioning key is taken from an event: a property name or a function. */
export type EventKeySelector<T = any> = string | ((event: T) => string | null | undefined);

/** Options of `@IntegrationEvent`. */
export interface IntegrationEventOptions<T = any> {
  /** Stable type name routed on by consumers, e.g. `orders.order-placed`. Never derived from the class name. */
  type: string;
  /** Kafka topic the event is published to. */
  topic: string;
  /** Schema version of this class. @default 1 */
  version?: number;
  /** Partitioning key (a property name or a function of the event); same key, same order. @default no key */
  key?: EventKeySelector<T>;
}

/** Metadata stored by `@IntegrationEvent`, with defaults applied. */
export interface IntegrationEventMetadata<T = any> {
  type: string;
  topic: string;
  version: number;
  key?: EventKeySelector<T>;
  target: new (...args: any[]) => T;
}

const METADATA = Symbol.for('tributary:integration-event');
const registry = new Map<string, IntegrationEventMetadata>();

/**
 * Marks a class as an integration event: a fact other services may consume. Combine with
 * class-validator rules; the outbox validates events before it stores them.
 *
 * ```ts
 * @IntegrationEvent({ type: 'orders.order-placed', topic: 'orders.events', key: 'orderId' })
 * export class OrderPlaced { @IsUUID() orderId!: string; }
 * ```
 */
export function IntegrationEvent<T>(options: IntegrationEventOptions<T>): ClassDecorator {
  return (target) => {
    if (!options || !isTributaryName(options.type)) {
      throw new TypeError(`@IntegrationEvent on ${target.name}: \`type\` must be a name like "orders.order-placed"`);
    }
    if (!isKafkaTopicName(options.topic)) {
      throw new TypeError(`@IntegrationEvent on ${target.name}: \`topic\` must be a Kafka topic name ([a-zA-Z0-9._-], 1-249 chars)`);
    }
    const version = options.version ?? 1;
    if (!Number.isInteger(version) || version < 1) {
      throw new TypeError(`@IntegrationEvent on ${target.name}: \`version\` must be a positive integer`);
    }
    const metadata: IntegrationEventMetadata<T> = {
      type: options.type,
      topic: options.topic,
      version,
      key: options.key,
      target: target as unknown as new (...args: any[]) => T,
    };
    const id = `${metadata.type}@${version}`;
    const existing = registry.get(id);
    if (existing && (existing.target as unknown) !== target && existing.target.name !== target.name) {
      throw new DuplicateIntegrationEventException(metadata.type, version, existing.target.name, target.name);
    }
    registry.set(id, metadata);
    Reflect.defineMetadata(METADATA, metadata, target);
  };
}

/** Metadata of an event class or instance, or undefined when it is not an `@IntegrationEvent`. */
export function getIntegrationEventMetadata<T = any>(
  classOrInstance: (new (...args: any[]) => T) | T | null | undefined,
): IntegrationEventMetadata<T> | undefined {
  if (classOrInstance === null || classOrInstance === undefined) return undefined;
  const target = typeof classOrInstance === 'function' ? classOrInstance : (classOrInstance as object).constructor;
  return target ? (Reflect.getMetadata(METADATA, target) as IntegrationEventMetadata<T> | undefined) : undefined;
}

/** Every `@IntegrationEvent` class loaded in this process. */
export function listIntegrationEvents(): IntegrationEventMetadata[] {
  return [...registry.values()];
}

/** The event class declared for `type` (the highest version when `version` is omitted). */
export function findIntegrationEvent(type: string, version?: number): IntegrationEventMetadata | undefined {
  if (version !== undefined) return registry.get(`${type}@${version}`);
  let best: IntegrationEventMetadata | undefined;
  for (const m of registry.values()) if (m.type === type && (!best || m.version > best.version)) best = m;
  return best;
}
