import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, Max, Min, ValidateNested } from 'class-validator';
import { DynamicConfig } from '../decorators/dynamic-config.decorator';
import { defineConfig } from '../definition/config-definition';
import { canonicalJson } from './canonical-json';
import { checkConfigValue, defaultPlainConfig, describeViolations, mergeConfigValue, toPlainConfig } from './config-value';

class Window {
  @IsInt() @Min(0) fromHour = 8;
  @IsInt() @Max(23) toHour = 18;
}

@DynamicConfig({ entry: 'limits' })
class OrderLimits {
  @IsInt() @Min(1) maxItems = 10;
  @IsBoolean() allowBackorder = false;
  @IsOptional() @IsString() note?: string;
  @ValidateNested() @Type(() => Window) window = new Window();
}

const definition = defineConfig(OrderLimits, 'orders');

describe('checkConfigValue', () => {
  it('keeps the declared defaults for properties the value does not give, and freezes the result', () => {
    const check = checkConfigValue(definition, { maxItems: 3 }, 'refuse');
    expect(check.ok).toBe(true);
    if (!check.ok) return;
    expect(check.value).toBeInstanceOf(OrderLimits);
    expect(check.value).toMatchObject({ maxItems: 3, allowBackorder: false, window: { fromHour: 8, toHour: 18 } });
    expect(check.plain).toEqual({ maxItems: 3, allowBackorder: false, window: { fromHour: 8, toHour: 18 } });
    expect(Object.isFrozen(check.value)).toBe(true);
    expect(Object.isFrozen(check.value.window)).toBe(true);
  });

  it('lists every broken rule with its property and constraint name, nested ones with a dotted path', () => {
    const check = checkConfigValue(definition, { maxItems: 2.5, allowBackorder: 'yes', window: { fromHour: -1, toHour: 30 } }, 'refuse');
    expect(check.ok).toBe(false);
    if (check.ok) return;
    const rules = check.violations.map((v) => `${v.property}:${v.constraint}`).sort();
    expect(rules).toEqual(['allowBackorder:isBoolean', 'maxItems:isInt', 'window.fromHour:min', 'window.toHour:max']);
    expect(check.violations.every((v) => v.message.length > 0)).toBe(true);
  });

  it('refuses undeclared properties at the writer and drops them at the reader', () => {
    const refused = checkConfigValue(definition, { maxItems: 2, maxItem: 3 }, 'refuse');
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.violations).toEqual([expect.objectContaining({ property: 'maxItem', constraint: 'unknownProperty' })]);
    const stripped = checkConfigValue(definition, { maxItems: 2, maxItem: 3 }, 'strip');
    expect(stripped.ok && stripped.plain).toEqual({ maxItems: 2, allowBackorder: false, window: { fromHour: 8, toHour: 18 } });
  });

  it('accepts an optional property declared only by its rule', () => {
    const check = checkConfigValue(definition, { note: 'peak season' }, 'refuse');
    expect(check.ok && check.value.note).toBe('peak season');
  });

  it('refuses values that are not objects', () => {
    for (const value of [null, 5, 'x', [1]]) {
      const check = checkConfigValue(definition, value, 'strip');
      expect(check.ok).toBe(false);
      if (!check.ok) expect(check.violations[0]).toMatchObject({ property: '(value)', constraint: 'isObject' });
    }
  });
});

describe('mergeConfigValue', () => {
  const defaults = defaultPlainConfig(definition);
  const current = { ...defaults, maxItems: 7, allowBackorder: true };

  it('merge: the change over the current value', () => {
    expect(mergeConfigValue(current, defaults, { maxItems: 5 }, 'merge')).toEqual({ ...current, maxItems: 5 });
  });

  it('replace: the change over the declared defaults', () => {
    expect(mergeConfigValue(current, defaults, { maxItems: 5 }, 'replace')).toEqual({ ...defaults, maxItems: 5 });
  });

  it('replaces a nested object whole', () => {
    expect(mergeConfigValue(current, defaults, { window: { fromHour: 1 } }, 'merge').window).toEqual({ fromHour: 1 });
  });
});

describe('toPlainConfig', () => {
  it('drops undefined properties and turns instances into plain JSON', () => {
    expect(toPlainConfig({ a: 1, b: undefined })).toEqual({ ok: true, plain: { a: 1 } });
    expect(toPlainConfig(new Window())).toEqual({ ok: true, plain: { fromHour: 8, toHour: 18 } });
  });

  it('refuses what JSON cannot carry', () => {
    const result = toPlainConfig({ big: 1n });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.violations[0]).toMatchObject({ property: '(value)', constraint: 'json' });
  });
});

describe('describeViolations', () => {
  it('names properties and constraints only, never the messages or values', () => {
    const text = describeViolations([
      { property: 'maxItems', constraint: 'min', message: 'maxItems must not be less than 1 (got secret)' },
      { property: 'maxItems', constraint: 'isInt', message: 'x' },
      { property: 'window.toHour', constraint: 'max', message: 'y' },
    ]);
    expect(text).toBe('maxItems: min, isInt; window.toHour: max');
  });
});

describe('canonicalJson', () => {
  it('gives the same text whatever the key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: null } })).toBe(canonicalJson({ a: { c: null, d: [2, { e: 0, f: 1 }] }, b: 1 }));
    expect(canonicalJson({ a: 1 })).not.toBe(canonicalJson({ a: 2 }));
  });
});
