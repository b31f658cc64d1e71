import 'reflect-metadata';
import type { Logger } from '@nestjs/common';
import { IsInt, Min } from 'class-validator';
import { DynamicConfig } from '../decorators/dynamic-config.decorator';
import { defineConfig } from '../definition/config-definition';
import { DynamicConfigConfigurationException } from '../exceptions/dynamic-config-configuration.exception';
import type { DecodedConfigRecord } from '../records/config-record.codec';
import { ConfigEntry } from './config-entry';

@DynamicConfig({ entry: 'limits' })
class OrderLimits {
  @IsInt() @Min(1) maxItems = 10;
}

const logger = () => ({ warn: jest.fn() }) as unknown as Logger & { warn: jest.Mock };
const set = (value: unknown, actor = 'alice'): DecodedConfigRecord => ({ kind: 'set', key: 'orders/limits', value, audit: { actor } });
const del: DecodedConfigRecord = { kind: 'delete', key: 'orders/limits', audit: { actor: 'bob' } };
let offset = 0n;
const at = () => ({ partition: 0, offset: offset++ });

describe('ConfigEntry', () => {
  it('starts on the declared defaults, applies sets, and falls back to the defaults on delete', () => {
    const entry = new ConfigEntry(defineConfig(OrderLimits, 'orders'), logger());
    const seen: number[] = [];
    entry.watch().subscribe((v) => seen.push(v.maxItems));
    expect(entry.current.maxItems).toBe(10);
    expect(entry.storedValue).toBeNull();
    entry.apply(set({ maxItems: 3 }), at());
    expect(entry.current.maxItems).toBe(3);
    expect(entry.storedValue).toEqual({ maxItems: 3 });
    entry.apply(del, at());
    expect(entry.current).toBeInstanceOf(OrderLimits);
    expect(entry.current.maxItems).toBe(10);
    expect(entry.storedValue).toBeNull();
    expect(seen).toEqual([10, 3, 10]);
  });

  it('emits to watchers only when the content changes', () => {
    const entry = new ConfigEntry(defineConfig(OrderLimits, 'orders'), logger());
    const seen: number[] = [];
    entry.watch().subscribe((v) => seen.push(v.maxItems));
    entry.apply(set({ maxItems: 10 }), at());
    entry.apply(set({ maxItems: 4 }), at());
    entry.apply(set({ maxItems: 4 }), at());
    expect(seen).toEqual([10, 4]);
  });

  it('ignores an invalid value with a warning naming the entry and the rules, never the payload', () => {
    const log = logger();
    const entry = new ConfigEntry(defineConfig(OrderLimits, 'orders'), log);
    entry.apply(set({ maxItems: 6 }), at());
    entry.apply(set({ maxItems: -12345 }, 'mallory'), at());
    entry.apply({ kind: 'malformed', key: 'orders/limits', reason: 'value is not valid JSON', audit: {} }, at());
    expect(entry.current.maxItems).toBe(6);
    expect(log.warn).toHaveBeenCalledTimes(2);
    const [first] = log.warn.mock.calls[0] as [string];
    expect(first).toContain('"orders/limits"');
    expect(first).toContain('maxItems: min');
    expect(first).toContain('mallory');
    expect(first).not.toContain('-12345');
    expect(entry.history().map((h) => [h.operation, h.applied])).toEqual([
      ['set', true],
      ['set', false],
      ['set', false],
    ]);
  });

  it('refuses a class whose own defaults break its rules', () => {
    @DynamicConfig({ entry: 'broken' })
    class Broken {
      @IsInt() @Min(1) maxItems = 0;
    }
    expect(() => new ConfigEntry(defineConfig(Broken, 'orders'), logger())).toThrow(DynamicConfigConfigurationException);
    expect(() => new ConfigEntry(defineConfig(Broken, 'orders'), logger())).toThrow(/defaults of Broken break its own rules \(maxItems: min\)/);
  });
});
