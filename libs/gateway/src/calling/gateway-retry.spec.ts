import { RpcDeadlineExceededException, RpcRemoteException, RpcUnavailableException } from '@tributary/rpc';
import { callWithRetry } from './gateway-retry';

describe('callWithRetry', () => {
  const policy = { timeoutMs: 900, attempts: 3, attemptTimeoutMs: 300, backoffMs: 0 };

  it('retries an attempt that got no reply, giving the last attempt what is left of the deadline', async () => {
    let clock = 0;
    const timeouts: number[] = [];
    const result = await callWithRetry(
      policy,
      async (timeout, n) => {
        timeouts.push(timeout);
        clock += timeout;
        if (n < 3) throw new RpcDeadlineExceededException('stock.level', timeout);
        return 'ok';
      },
      () => clock,
    );
    expect(result).toBe('ok');
    expect(timeouts).toEqual([300, 300, 300]);
  });

  it('retries unavailable at once and keeps the unused time for the last attempt', async () => {
    const timeouts: number[] = [];
    await expect(
      callWithRetry(
        policy,
        async (timeout) => {
          timeouts.push(timeout);
          throw new RpcUnavailableException('stock', 'stock.level', 'no instance');
        },
        () => 0,
      ),
    ).rejects.toBeInstanceOf(RpcUnavailableException);
    expect(timeouts).toEqual([300, 300, 900]);
  });

  it('makes a single attempt with the whole deadline when the policy allows one (not idempotent)', async () => {
    const timeouts: number[] = [];
    await expect(
      callWithRetry({ ...policy, attempts: 1, attemptTimeoutMs: 900 }, async (timeout) => {
        timeouts.push(timeout);
        throw new RpcDeadlineExceededException('stock.reserve', timeout);
      }),
    ).rejects.toBeInstanceOf(RpcDeadlineExceededException);
    expect(timeouts).toEqual([900]);
  });

  it('never retries an answer: a remote error is thrown at once', async () => {
    let calls = 0;
    await expect(
      callWithRetry(policy, async () => {
        calls++;
        throw new RpcRemoteException('stock', 'stock.level', 'OUT_OF_STOCK', 'none left');
      }),
    ).rejects.toBeInstanceOf(RpcRemoteException);
    expect(calls).toBe(1);
  });

  it('stops retrying when the deadline is spent', async () => {
    let clock = 0;
    let calls = 0;
    await expect(
      callWithRetry(
        { ...policy, attempts: 10 },
        async (timeout) => {
          calls++;
          clock += timeout;
          throw new RpcDeadlineExceededException('stock.level', timeout);
        },
        () => clock,
      ),
    ).rejects.toBeInstanceOf(RpcDeadlineExceededException);
    expect(calls).toBe(3);
    expect(clock).toBe(900);
  });
});
