import type { Type } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';

/** How a text value from the path or query string is read for one DTO field. */
export type GatewayFieldKind = 'number' | 'boolean' | 'text';

const NUMBER_RULES = new Set(['isInt', 'isNumber', 'isPositive', 'isNegative', 'min', 'max', 'isDivisibleBy', 'isPort']);
const BOOLEAN_RULES = new Set(['isBoolean']);

/**
 * The fields of a request DTO, read from its class-validator rules (inherited ones included) and
 * the property types TypeScript emits (`emitDecoratorMetadata`). Fields without any rule are not
 * part of the contract, so the gateway does not pass them on.
 */
export function contractFields(dto: Type<unknown>): Map<string, GatewayFieldKind> {
  const fields = new Map<string, GatewayFieldKind>();
  for (const rule of getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false)) {
    const name = rule.propertyName;
    let kind = fields.get(name) ?? 'text';
    if (rule.name && NUMBER_RULES.has(rule.name)) kind = 'number';
    else if (rule.name && BOOLEAN_RULES.has(rule.name) && kind === 'text') kind = 'boolean';
    fields.set(name, kind);
  }
  for (const [name, kind] of fields) {
    if (kind !== 'text') continue;
    const designType = Reflect.getMetadata('design:type', dto.prototype as object, name) as unknown;
    if (designType === Number) fields.set(name, 'number');
    else if (designType === Boolean) fields.set(name, 'boolean');
  }
  return fields;
}

const NUMBER_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * A path or query value as the field's type wants it: numbers and booleans are converted when the
 * text is one, otherwise left as text so validation names the field.
 */
export function convertTextValue(value: unknown, kind: GatewayFieldKind): unknown {
  if (typeof value !== 'string') return value;
  if (kind === 'number' && NUMBER_TEXT.test(value.trim())) return Number(value);
  if (kind === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}
