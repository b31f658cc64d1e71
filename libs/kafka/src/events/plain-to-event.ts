import { plainToInstance } from 'class-transformer';

type Constructor<T> = new (...args: any[]) => T;

/** The parts of class-transformer's metadata storage read here (not its public API: checked before use). */
interface TransformerStorage {
  findTypeMetadata(target: Function, propertyName: string): unknown;
  getExposedMetadatas(target: Function): unknown[];
  getExcludedMetadatas(target: Function): unknown[];
  getStrategy(target: Function): string;
  _typeMetadatas: Map<Function, Map<string, unknown>>;
  _transformMetadatas: Map<Function, Map<string, unknown>>;
}

function loadTransformerStorage(): TransformerStorage | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const storage = (require('class-transformer/cjs/storage') as { defaultMetadataStorage?: TransformerStorage }).defaultMetadataStorage;
    const usable =
      storage !== undefined &&
      storage._typeMetadatas instanceof Map &&
      storage._transformMetadatas instanceof Map &&
      typeof storage.getExposedMetadatas === 'function' &&
      typeof storage.getExcludedMetadatas === 'function' &&
      typeof storage.getStrategy === 'function';
    return usable ? storage : undefined;
  } catch {
    return undefined;
  }
}

const transformerStorage = loadTransformerStorage();

/** Per class: the keys a plain copy must not assign (prototype getters without setters), or null when class-transformer is needed. */
const plans = new WeakMap<Function, Set<string> | null>();

function classChain(target: Function): Function[] {
  const chain: Function[] = [];
  for (let c: unknown = target; typeof c === 'function' && c !== Function.prototype && c !== Object; c = Object.getPrototypeOf(c)) chain.push(c as Function);
  return chain;
}

/**
 * Whether class-transformer would do more than copy the payload's keys onto a new instance: any
 * `@Type`, `@Transform`, `@Expose` or `@Exclude` on the class or its ancestors.
 */
function needsTransformer(storage: TransformerStorage, target: Function): boolean {
  if (storage.getExposedMetadatas(target).length > 0 || storage.getExcludedMetadatas(target).length > 0) return true;
  for (const c of classChain(target)) {
    if (storage.getStrategy(c) !== 'none') return true;
    if ((storage._typeMetadatas.get(c)?.size ?? 0) > 0 || (storage._transformMetadatas.get(c)?.size ?? 0) > 0) return true;
  }
  return false;
}

/** Accessors without a setter along the prototype chain: class-transformer leaves them alone. */
function readOnlyAccessors(target: Function): Set<string> {
  const keys = new Set<string>();
  for (let proto: unknown = target.prototype; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const [key, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(proto))) {
      if (descriptor.get && !descriptor.set) keys.add(key);
    }
  }
  return keys;
}

function planOf(target: Function): Set<string> | null {
  let plan = plans.get(target);
  if (plan === undefined) {
    plan = transformerStorage && !needsTransformer(transformerStorage, target) ? readOnlyAccessors(target) : null;
    plans.set(target, plan);
  }
  return plan;
}

/**
 * An instance of `target` holding a freshly decoded JSON object's data. Same result as
 * class-transformer's `plainToInstance` with default options; for a class without class-transformer
 * decorators it copies the keys itself (decorators are looked up once per class), which costs a
 * fraction of the generic walk on a consumer's hot path. The payload's nested objects are shared,
 * not copied: the caller owns the freshly decoded payload.
 */
export function plainToEvent<T extends object>(target: Constructor<T>, payload: Record<string, unknown>): T {
  const plan = planOf(target);
  if (plan === null) return plainToInstance(target, payload);
  const instance = new target() as Record<string, unknown>;
  for (const key of Object.keys(payload)) {
    // Like class-transformer: never the prototype, never over methods or read-only accessors.
    if (key === '__proto__' || key === 'constructor' || plan.has(key) || typeof instance[key] === 'function') continue;
    instance[key] = payload[key];
  }
  return instance as T;
}
