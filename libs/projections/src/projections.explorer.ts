import { Injectable } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { Projection } from './decorators/projection.decorator';
import type { OnEventTarget } from './decorators/on.decorator';
import type { UpcasterMetadata } from './decorators/upcaster.decorator';
import { RequestScopedProjectionException } from './exceptions/request-scoped-projection.exception';
import type { ProjectionOptions } from './interfaces/projection-options.interface';
import type { UpcastFunction } from './interfaces/upcaster.interface';
import { readMethodMetadata } from './decorators/method-metadata.factory';
import { ON_BATCH_METADATA, ON_EVENT_METADATA, UPCASTER_METADATA } from './projections.constants';
import type { DiscoveredHandler } from './routing/projection-routes';
import type { UpcasterEntry } from './upcasting/upcaster-chain';

/** A `@Projection` provider as found at bootstrap: plain data, no wiring. */
export interface DiscoveredProjection {
  className: string;
  instance: Record<string, unknown>;
  options: ProjectionOptions;
  handlers: DiscoveredHandler[];
  upcasters: UpcasterEntry[];
}

/** Finds `@Projection` providers (an index lookup) and their `@On` / `@Upcaster` methods. */
@Injectable()
export class ProjectionsExplorer {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {}

  explore(): DiscoveredProjection[] {
    const found: DiscoveredProjection[] = [];
    const seen = new Set<unknown>();
    for (const wrapper of this.discovery.getProviders({ metadataKey: Projection.KEY })) {
      const className = wrapper.metatype?.name ?? String(wrapper.name);
      if (!wrapper.isDependencyTreeStatic() || wrapper.isTransient) throw new RequestScopedProjectionException(className);
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      // The same provider exported through several modules shows up once per module.
      if (!instance || seen.has(instance)) continue;
      seen.add(instance);
      const options = this.discovery.getMetadataByDecorator(Projection, wrapper) as ProjectionOptions;
      const prototype = Object.getPrototypeOf(instance) as object;
      const handlers: DiscoveredHandler[] = [];
      const upcasters: UpcasterEntry[] = [];
      for (const methodName of this.scanner.getAllMethodNames(prototype)) {
        const method = (prototype as Record<string, unknown>)[methodName] as (...args: unknown[]) => unknown;
        const targets = readMethodMetadata<OnEventTarget>(ON_EVENT_METADATA, method);
        if (targets.length) handlers.push({ className, methodName, targets, batch: false });
        const batchTargets = readMethodMetadata<OnEventTarget>(ON_BATCH_METADATA, method);
        if (batchTargets.length) handlers.push({ className, methodName, targets: batchTargets, batch: true });
        for (const u of readMethodMetadata<UpcasterMetadata>(UPCASTER_METADATA, method)) {
          upcasters.push({
            type: u.type,
            fromVersion: u.fromVersion,
            upcast: method.bind(instance) as UpcastFunction,
            source: `${className}.${methodName}`,
          });
        }
      }
      found.push({ className, instance, options, handlers, upcasters });
    }
    return found;
  }
}
