import { Injectable, type Type } from '@nestjs/common';
import type { ParamsFactory } from '@nestjs/core/helpers/external-context-creator';
import { DiscoveryService, ExternalContextCreator, MetadataScanner, type DiscoverableDecorator } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper';
import { DuplicateHandlerException } from '../exceptions/duplicate-handler.exception';
import { RequestScopedHandlerException } from '../exceptions/request-scoped-handler.exception';

/** A method found by `HandlerExplorer.explore`, bound to its singleton instance. */
export interface DiscoveredHandler<T> {
  /** What the decorator was given. */
  meta: T;
  /** The provider or controller instance. */
  instance: object;
  classRef: Type<unknown>;
  methodName: string;
  /** `Class.method`, for messages. */
  name: string;
}

/** Options of `HandlerExplorer.explore`. */
export interface ExploreOptions<T> {
  /** What the handlers are, for error messages, e.g. `RPC handler`. */
  kind: string;
  /** Stable id of a handler (never the class name); two handlers with the same id are an error. @default no check */
  id?: (meta: T) => string;
}

/** Options of `HandlerExplorer.bind`. */
export interface BindOptions {
  /** Context type seen by guards and interceptors (`context.getType()`). @default 'rpc' */
  contextType?: string;
  /** Metadata key under which the lib's parameter decorators store their metadata. @default none */
  paramsMetadataKey?: string;
  /** Turns parameter metadata into values from the handler's arguments. @default none */
  paramsFactory?: ParamsFactory;
}

/**
 * Finds the methods that carry a decorator made with `DiscoveryService.createDecorator`, in every
 * provider and controller, and wraps them with Nest's `ExternalContextCreator` so the app's guards,
 * pipes, interceptors and exception filters apply. Returns plain data; the libs wire it up.
 */
@Injectable()
export class HandlerExplorer {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly contextCreator: ExternalContextCreator,
  ) {}

  explore<T>(decorator: DiscoverableDecorator<T>, options: ExploreOptions<T>): DiscoveredHandler<T>[] {
    const wrappers = [...this.discovery.getProviders(), ...this.discovery.getControllers()];
    const seen = new Set<object>();
    const found: DiscoveredHandler<T>[] = [];
    for (const wrapper of wrappers) {
      const { instance } = wrapper;
      if (!instance || typeof instance !== 'object' || seen.has(instance)) continue;
      seen.add(instance);
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const methodName of this.scanner.getAllMethodNames(prototype)) {
        const method = (prototype as Record<string, unknown>)[methodName];
        const meta = typeof method === 'function' ? (Reflect.getMetadata(decorator.KEY, method) as T | undefined) : undefined;
        if (meta === undefined) continue;
        const classRef = (wrapper.metatype ?? instance.constructor) as Type<unknown>;
        const className = (instance.constructor as Type<unknown>).name;
        if (!isStatic(wrapper)) throw new RequestScopedHandlerException(options.kind, className, methodName);
        found.push({ meta, instance, classRef, methodName, name: `${className}.${methodName}` });
      }
    }
    if (options.id) assertUnique(found, options.kind, options.id);
    return found;
  }

  /**
   * The handler as a function of the lib's arguments (e.g. `(payload, context)`), going through the
   * guards, interceptors, pipes and exception filters that apply to its class and method.
   */
  bind<T>(handler: DiscoveredHandler<T>, options: BindOptions = {}): (...args: unknown[]) => Promise<unknown> {
    const callback = (handler.instance as Record<string, (...args: unknown[]) => unknown>)[handler.methodName];
    return this.contextCreator.create(
      handler.instance as Record<string, unknown>,
      callback,
      handler.methodName,
      options.paramsMetadataKey,
      options.paramsFactory,
      undefined,
      undefined,
      { guards: true, interceptors: true, filters: true },
      options.contextType ?? 'rpc',
    );
  }
}

function isStatic(wrapper: InstanceWrapper): boolean {
  return wrapper.isDependencyTreeStatic() && !wrapper.isTransient;
}

function assertUnique<T>(handlers: DiscoveredHandler<T>[], kind: string, id: (meta: T) => string): void {
  const byId = new Map<string, DiscoveredHandler<T>>();
  for (const handler of handlers) {
    const key = id(handler.meta);
    const other = byId.get(key);
    if (other) throw new DuplicateHandlerException(kind, key, other.name, handler.name);
    byId.set(key, handler);
  }
}
