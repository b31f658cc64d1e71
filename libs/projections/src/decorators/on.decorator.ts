import { ON_EVENT_METADATA } from '../projections.constants';

/** What `@On` stored: an `@IntegrationEvent` class, or a bare event type. */
export type OnEventTarget = (new (...args: any[]) => object) | string;

/**
 * Routes events of a type to this method: `@On(CustomerRegistered)` (an `@IntegrationEvent` class;
 * the handler gets a validated instance) or `@On('customers.customer-registered')` (a type; the
 * handler gets an instance of the registered class, or the plain payload when none is loaded).
 * Stackable: one method may take several types.
 */
export function On(event: OnEventTarget): MethodDecorator {
  return (_target, _key, descriptor) => {
    const method = descriptor.value as unknown as object;
    const existing = (Reflect.getMetadata(ON_EVENT_METADATA, method) as OnEventTarget[] | undefined) ?? [];
    Reflect.defineMetadata(ON_EVENT_METADATA, [...existing, event], method);
    return descriptor;
  };
}
