import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import type { ConfigDefinition } from '../definition/config-definition';
import type { ConfigViolation } from '../exceptions/invalid-config-value.exception';
import { deepFreeze } from './deep-freeze';

/** A plain JSON object: what a configuration record's value holds. */
export type PlainConfig = Record<string, unknown>;

/** What to do with properties the class does not declare. */
export type UnknownProperties = 'refuse' | 'strip';

/** Either a valid, frozen instance (and its plain JSON form) or the rules it breaks. */
export type ConfigCheck<T> = { ok: true; value: T; plain: PlainConfig } | { ok: false; violations: ConfigViolation[] };

function isPlainObject(value: unknown): value is PlainConfig {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function violationsOf(errors: ValidationError[], prefix = ''): ConfigViolation[] {
  const out: ConfigViolation[] = [];
  for (const error of errors) {
    const property = prefix ? `${prefix}.${error.property}` : error.property;
    for (const [constraint, message] of Object.entries(error.constraints ?? {})) out.push({ property, constraint, message });
    if (error.children?.length) out.push(...violationsOf(error.children, property));
  }
  return out;
}

/**
 * A JSON-safe plain copy of `value` (an instance or a plain object; `undefined` properties are
 * dropped), or the violation saying why JSON cannot carry it.
 */
export function toPlainConfig(value: unknown): { ok: true; plain: PlainConfig } | { ok: false; violations: ConfigViolation[] } {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (e) {
    return { ok: false, violations: [{ property: '(value)', constraint: 'json', message: `cannot be written as JSON: ${(e as Error).message}` }] };
  }
  const plain = text === undefined ? undefined : (JSON.parse(text) as unknown);
  if (!isPlainObject(plain)) {
    return { ok: false, violations: [{ property: '(value)', constraint: 'isObject', message: 'a configuration value must be an object' }] };
  }
  return { ok: true, plain };
}

/** The declared defaults of an entry as plain JSON (the class's property initialisers). */
export function defaultPlainConfig(definition: ConfigDefinition): PlainConfig {
  const result = toPlainConfig(new definition.type());
  return result.ok ? result.plain : {};
}

/**
 * Build an instance of the entry's class from `plain` (missing properties keep their declared
 * defaults) and check its class-validator rules. Unknown properties are refused (writers) or
 * dropped (readers, so an older instance keeps working when a newer one adds a property).
 */
export function checkConfigValue<T extends object>(
  definition: ConfigDefinition<T>,
  plain: unknown,
  unknown: UnknownProperties,
): ConfigCheck<T> {
  if (!isPlainObject(plain)) {
    return { ok: false, violations: [{ property: '(value)', constraint: 'isObject', message: 'a configuration value must be an object' }] };
  }
  const known: PlainConfig = {};
  const violations: ConfigViolation[] = [];
  for (const [property, v] of Object.entries(plain)) {
    if (definition.knownProperties.has(property)) known[property] = v;
    else if (unknown === 'refuse') {
      violations.push({
        property,
        constraint: 'unknownProperty',
        message: `${definition.type.name} declares no property "${property}"`,
      });
    }
  }
  const instance = plainToInstance(definition.type, known);
  violations.push(...violationsOf(validateSync(instance, { forbidUnknownValues: false })));
  if (violations.length > 0) return { ok: false, violations };
  const asPlain = toPlainConfig(instance);
  if (!asPlain.ok) return asPlain;
  return { ok: true, value: deepFreeze(instance), plain: asPlain.plain };
}

/**
 * The value a write asks for: `change` over the current value (`merge`, top-level properties
 * only: a nested object is replaced whole) or over the declared defaults (`replace`).
 */
export function mergeConfigValue(current: PlainConfig, defaults: PlainConfig, change: PlainConfig, mode: 'merge' | 'replace'): PlainConfig {
  return { ...(mode === 'merge' ? current : defaults), ...change };
}

/** `property: constraint, constraint` per property — names only, never values (safe for logs). */
export function describeViolations(violations: ConfigViolation[]): string {
  const byProperty = new Map<string, string[]>();
  for (const v of violations) byProperty.set(v.property, [...(byProperty.get(v.property) ?? []), v.constraint]);
  return [...byProperty].map(([property, constraints]) => `${property}: ${constraints.join(', ')}`).join('; ');
}
