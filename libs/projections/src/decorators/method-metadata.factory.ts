/**
 * One factory for the method decorators of this lib (`@On`, `@OnBatch`, `@Upcaster`): each stores
 * an array on the method under its key, so stacked decorators add up instead of overwriting.
 */
export function appendMethodMetadata<T>(key: string, entry: T): MethodDecorator {
  return (_target, _key, descriptor) => {
    const method = descriptor.value as unknown as object;
    const existing = (Reflect.getMetadata(key, method) as T[] | undefined) ?? [];
    Reflect.defineMetadata(key, [...existing, entry], method);
    return descriptor;
  };
}

/** What the decorators made by `appendMethodMetadata(key, …)` stored on a method. */
export function readMethodMetadata<T>(key: string, method: unknown): T[] {
  return typeof method === 'function' ? ((Reflect.getMetadata(key, method) as T[] | undefined) ?? []) : [];
}
