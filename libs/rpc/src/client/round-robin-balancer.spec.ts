import { RoundRobinBalancer } from './round-robin-balancer';

describe('RoundRobinBalancer', () => {
  it('rotates, puts recently failed candidates last, and forgives them after the cooldown', () => {
    const balancer = new RoundRobinBalancer(1000);
    expect(balancer.order(['a', 'b', 'c'], 0)[0]).toBe('a');
    expect(balancer.order(['a', 'b', 'c'], 0)[0]).toBe('b');
    balancer.markFailed('c', 0);
    expect(balancer.order(['a', 'b', 'c'], 10)).toEqual(['a', 'b', 'c']);
    expect(balancer.order(['a', 'b', 'c'], 10)).toEqual(['a', 'b', 'c']);
    expect(balancer.order(['a', 'b', 'c'], 2000)).toEqual(['b', 'c', 'a']);
    balancer.markFailed('a', 2000);
    balancer.markFailed('b', 2000);
    balancer.markFailed('c', 2000);
    expect(balancer.order(['a', 'b', 'c'], 2001)).toHaveLength(3);
    expect(balancer.order([], 0)).toEqual([]);
  });
});
