import { ProjectionsConfigurationException } from '../exceptions/projections-configuration.exception';
import { UpcastException } from '../exceptions/upcast.exception';
import { UpcasterChain } from './upcaster-chain';

describe('UpcasterChain', () => {
  const chain = new UpcasterChain([
    { type: 'a', fromVersion: 1, upcast: (p) => ({ name: p.n }), source: 'v1' },
    { type: 'a', fromVersion: 2, upcast: (p) => ({ ...p, upper: String(p.name).toUpperCase() }), source: 'v2' },
    { type: 'b', fromVersion: 1, upcast: () => 'nope' as unknown as Record<string, unknown>, source: 'bad' },
    { type: 'c', fromVersion: 1, upcast: () => { throw new Error('boom'); }, source: 'throws' },
  ]);

  it('chains one version at a time up to the target', () => {
    expect(chain.upcast('a', { n: 'x' }, 1, 3)).toEqual({ name: 'x', upper: 'X' });
    expect(chain.upcast('a', { name: 'y' }, 2, 3)).toEqual({ name: 'y', upper: 'Y' });
  });

  it('returns the payload unchanged at the target version', () => {
    const payload = { name: 'z' };
    expect(chain.upcast('a', payload, 3, 3)).toBe(payload);
  });

  it('refuses a missing step, a newer event, a non-object result and a throwing upcaster', () => {
    expect(() => chain.upcast('a', {}, 1, 4)).toThrow(/no upcaster from version 3/);
    expect(() => chain.upcast('a', {}, 4, 3)).toThrow(UpcastException);
    expect(() => chain.upcast('b', {}, 1, 2)).toThrow(/returned string/);
    expect(() => chain.upcast('c', {}, 1, 2)).toThrow(/throws threw: boom/);
  });

  it('rejects two upcasters for the same step, naming both, and bad versions', () => {
    const step = { type: 'a', fromVersion: 1, upcast: (p: Record<string, unknown>) => p };
    expect(() => new UpcasterChain([{ ...step, source: 'X.one' }, { ...step, source: 'Y.two' }])).toThrow(/X\.one and Y\.two/);
    expect(() => new UpcasterChain([{ ...step, fromVersion: 0, source: 'zero' }])).toThrow(ProjectionsConfigurationException);
  });
});
