import { UPCASTER_METADATA } from '../projections.constants';
import { appendMethodMetadata } from './method-metadata.factory';

/** What `@Upcaster` stored. */
export interface UpcasterMetadata {
  type: string;
  fromVersion: number;
}

/**
 * Marks a method `(payload) => payload` that maps events of `type` at schema version
 * `fromVersion` to version `fromVersion + 1`. Upcasters chain up to the handler's class version.
 */
export function Upcaster(type: string, fromVersion: number): MethodDecorator {
  return appendMethodMetadata<UpcasterMetadata>(UPCASTER_METADATA, { type, fromVersion });
}
