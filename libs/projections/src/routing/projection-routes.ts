import { findIntegrationEvent, getIntegrationEventMetadata } from '@tributary/kafka';
import type { OnEventTarget } from '../decorators/on.decorator';
import { DuplicateProjectionHandlerException } from '../exceptions/duplicate-projection-handler.exception';
import { ProjectionsConfigurationException } from '../exceptions/projections-configuration.exception';

/** A handler method found on a projection class. */
export interface DiscoveredHandler {
  className: string;
  methodName: string;
  targets: OnEventTarget[];
  /** `@OnBatch`: the method takes runs of events. */
  batch: boolean;
}

/** Where one event type goes. */
export interface ProjectionRoute {
  type: string;
  methodName: string;
  /** `Class.method`, for messages. */
  handlerName: string;
  /** The method takes runs of events (`@OnBatch`). */
  batch: boolean;
  /** Class the payload is materialised into (validated); absent for a bare type with no class loaded. */
  eventClass?: new (...args: any[]) => object;
  /** Schema version the handler expects (payloads are upcast to it); absent = take any version. */
  version?: number;
  /** Topic declared by the event class, if any. */
  topic?: string;
}

/**
 * Build the routing table of a projection, keyed by the stable event type (never a class name).
 * Two handlers for one type are an error naming both.
 */
export function buildProjectionRoutes(projection: string, handlers: DiscoveredHandler[]): Map<string, ProjectionRoute> {
  const routes = new Map<string, ProjectionRoute>();
  for (const handler of handlers) {
    const handlerName = `${handler.className}.${handler.methodName}`;
    for (const target of handler.targets) {
      const route = routeOf(target, handler, handlerName);
      const existing = routes.get(route.type);
      if (existing) throw new DuplicateProjectionHandlerException(projection, route.type, existing.handlerName, handlerName);
      routes.set(route.type, route);
    }
  }
  return routes;
}

function routeOf(target: OnEventTarget, handler: DiscoveredHandler, handlerName: string): ProjectionRoute {
  if (typeof target === 'string') {
    if (target.trim() === '') throw new ProjectionsConfigurationException(`@On('') on ${handlerName}: give an event type`);
    const known = findIntegrationEvent(target);
    return {
      type: target,
      methodName: handler.methodName,
      handlerName,
      batch: handler.batch,
      eventClass: known?.target as (new (...args: any[]) => object) | undefined,
      version: known?.version,
      topic: known?.topic,
    };
  }
  const metadata = typeof target === 'function' ? getIntegrationEventMetadata(target) : undefined;
  if (!metadata) {
    const name = typeof target === 'function' ? target.name : String(target);
    throw new ProjectionsConfigurationException(
      `@On(${name}) on ${handlerName}: ${name} is not an @IntegrationEvent class; decorate it or pass the event type string`,
    );
  }
  return {
    type: metadata.type,
    methodName: handler.methodName,
    handlerName,
    batch: handler.batch,
    eventClass: target,
    version: metadata.version,
    topic: metadata.topic,
  };
}
