import { UPCASTER_METADATA } from '../projections.constants';

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
  return (_target, _key, descriptor) => {
    const method = descriptor.value as unknown as object;
    const existing = (Reflect.getMetadata(UPCASTER_METADATA, method) as UpcasterMetadata[] | undefined) ?? [];
    Reflect.defineMetadata(UPCASTER_METADATA, [...existing, { type, fromVersion }], method);
    return descriptor;
  };
}
