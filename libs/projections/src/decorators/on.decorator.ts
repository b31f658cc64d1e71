import { ON_BATCH_METADATA, ON_EVENT_METADATA } from '../projections.constants';
import { appendMethodMetadata } from './method-metadata.factory';

/** What `@On` / `@OnBatch` stored: an `@IntegrationEvent` class, or a bare event type. */
export type OnEventTarget = (new (...args: any[]) => object) | string;

/**
 * Routes events of a type to this method, one call per event: `(event, context)`.
 * `@On(CustomerRegistered)` (an `@IntegrationEvent` class; the handler gets a validated instance)
 * or `@On('customers.customer-registered')` (a type; the handler gets an instance of the class
 * registered for it, or the plain payload when none is loaded). Stackable.
 */
export function On(event: OnEventTarget): MethodDecorator {
  return appendMethodMetadata<OnEventTarget>(ON_EVENT_METADATA, event);
}

/**
 * Like `@On`, but the method takes consecutive events of the type together:
 * `(items: ProjectionBatchItem<T>[], manager)` — one call per run of such events in a fetched
 * batch, in offset order, so one multi-row statement can apply them (high-volume projections).
 * When the call fails it is retried on halves of the run (savepoints) until the failing event is
 * isolated, so only that event is dead-lettered.
 */
export function OnBatch(event: OnEventTarget): MethodDecorator {
  return appendMethodMetadata<OnEventTarget>(ON_BATCH_METADATA, event);
}
