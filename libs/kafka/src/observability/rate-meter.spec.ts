import { RateMeter } from './rate-meter';

describe('RateMeter', () => {
  it('reads 0 before anything was added', () => {
    expect(new RateMeter().perSecond(10_000)).toBe(0);
  });

  it('divides the window total by the time since its first sample', () => {
    const meter = new RateMeter({ windowMs: 10_000 });
    meter.add(100, 0);
    meter.add(300, 2000);
    expect(meter.perSecond(4000)).toBe(100);
  });

  it('counts at least one second, so a single fresh batch is not an infinite rate', () => {
    const meter = new RateMeter();
    meter.add(50, 1000);
    expect(meter.perSecond(1100)).toBe(50);
  });

  it('forgets samples older than the window', () => {
    const meter = new RateMeter({ windowMs: 5000 });
    meter.add(1000, 0);
    meter.add(10, 6000);
    expect(meter.perSecond(7000)).toBe(10);
    expect(meter.perSecond(12_000)).toBe(0);
  });

  it('rounds to whole events by default and keeps the decimals asked for', () => {
    const whole = new RateMeter({ windowMs: 10_000 });
    const tenths = new RateMeter({ windowMs: 10_000, decimals: 1 });
    for (const meter of [whole, tenths]) meter.add(7, 0);
    expect(whole.perSecond(3000)).toBe(2);
    expect(tenths.perSecond(3000)).toBe(2.3);
  });
});
