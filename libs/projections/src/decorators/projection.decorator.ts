import { DiscoveryService } from '@nestjs/core';
import type { ProjectionOptions } from '../interfaces/projection-options.interface';

/**
 * Marks a provider as a projection: its `@On` methods apply events to local tables, exactly once
 * in effect. Made with `DiscoveryService.createDecorator`, so finding projections is an index lookup.
 *
 * ```ts
 * @Projection({ name: 'customer-directory', tables: [CustomerRow] })
 * export class CustomerDirectory {
 *   @On(CustomerRegistered)
 *   async registered(event: CustomerRegistered, { manager }: ProjectionContext) { ... }
 * }
 * ```
 */
export const Projection = DiscoveryService.createDecorator<ProjectionOptions>();
