import { isTributaryName } from './tributary-name';

describe('isTributaryName', () => {
  it.each(['orders', 'orders.order-placed', 'a_1', '9lives'])('accepts %s', (name) => expect(isTributaryName(name)).toBe(true));
  it.each(['', '.hidden', '-x', 'has space', 'a/b', 'ü', 42, undefined])('refuses %p', (name) => expect(isTributaryName(name)).toBe(false));
  it('bounds the length', () => {
    expect(isTributaryName('a'.repeat(10), 10)).toBe(true);
    expect(isTributaryName('a'.repeat(11), 10)).toBe(false);
  });
});
