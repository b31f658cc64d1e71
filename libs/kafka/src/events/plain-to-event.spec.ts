import 'reflect-metadata';
import { Expose, plainToInstance, Transform, Type } from 'class-transformer';
import { plainToEvent } from './plain-to-event';

class Line {
  sku!: string;
  quantity!: number;
}

class Plain {
  id!: string;
  amount = 0;
  tags?: string[];
  nested?: { a: number };
  greet(): string {
    return `hello ${this.id}`;
  }
  get label(): string {
    return `#${this.id}`;
  }
}

class Child extends Plain {
  extra?: boolean;
}

class WithType {
  @Type(() => Line) lines!: Line[];
}

class WithExpose {
  @Expose({ name: 'customer_id' }) customerId!: string;
}

class WithTransform {
  @Transform(({ value }) => String(value).toUpperCase()) code!: string;
}

const cases: Array<[string, new () => object, Record<string, unknown>]> = [
  ['a plain class', Plain, { id: 'p1', amount: 3, tags: ['x'], nested: { a: 1 } }],
  ['a subclass', Child, { id: 'c1', amount: 2, extra: true }],
  ['a missing key keeps the field initialiser', Plain, { id: 'p2' }],
  ['keys that are methods or read-only accessors', Plain, { id: 'p3', greet: 'not a function', label: 'overwritten?' }],
  ['@Type', WithType, { lines: [{ sku: 's', quantity: 1 }] }],
  ['@Expose with a name', WithExpose, { customer_id: 'c-9' }],
  ['@Transform', WithTransform, { code: 'abc' }],
];

describe('plainToEvent', () => {
  it.each(cases)('gives what plainToInstance gives: %s', (_name, target, payload) => {
    const fast = plainToEvent(target, JSON.parse(JSON.stringify(payload)) as Record<string, unknown>);
    const reference = plainToInstance(target, JSON.parse(JSON.stringify(payload)) as Record<string, unknown>);
    expect(fast).toBeInstanceOf(target);
    expect(fast).toEqual(reference);
    expect(Object.keys(fast).sort()).toEqual(Object.keys(reference).sort());
  });

  it('copies an undecorated class itself, sharing the decoded nested values', () => {
    const payload = { id: 'p5', nested: { a: 1 } };
    expect((plainToEvent(Plain, payload) as Plain).nested).toBe(payload.nested);
    expect(plainToInstance(Plain, payload).nested).not.toBe(payload.nested);
  });

  it('goes through class-transformer for decorated classes', () => {
    expect((plainToEvent(WithType, { lines: [{ sku: 's', quantity: 1 }] }) as WithType).lines[0]).toBeInstanceOf(Line);
    expect((plainToEvent(WithExpose, { customer_id: 'c-9' }) as WithExpose).customerId).toBe('c-9');
    expect((plainToEvent(WithTransform, { code: 'abc' }) as WithTransform).code).toBe('ABC');
  });

  it('never takes a __proto__ or constructor key from the payload', () => {
    const payload = JSON.parse('{"id":"p4","__proto__":{"polluted":true},"constructor":{"x":1}}') as Record<string, unknown>;
    const event = plainToEvent(Plain, payload);
    expect(Object.getPrototypeOf(event)).toBe(Plain.prototype);
    expect((event as unknown as { polluted?: boolean }).polluted).toBeUndefined();
    expect(event.constructor).toBe(Plain);
    expect(event.greet()).toBe('hello p4');
    expect(event.label).toBe('#p4');
  });
});
