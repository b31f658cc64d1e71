import { Logger } from '@nestjs/common';
import type { QueryRunner } from 'typeorm';
import { BatchAbortedError } from '../errors/batch-aborted.error';
import { HeartbeatPause } from './heartbeat-pause';
import type { PreparedMessage } from './prepared-message';
import type { ProjectionHandlerInvoker } from './projection-handler-invoker';
import { ProjectionSavepointRetrier } from './projection-savepoint-retrier';

function item(): PreparedMessage {
  return {
    message: { offset: '7' } as PreparedMessage['message'],
    route: { handlerName: 'Counters.apply' } as PreparedMessage['route'],
    context: { topic: 't', partition: 0, offset: '7' } as PreparedMessage['context'],
  };
}

function setup(failures: number, running = () => true) {
  let calls = 0;
  const invoker = {
    invoke: async () => {
      if (++calls <= failures) throw new Error('not yet');
    },
  } as unknown as ProjectionHandlerInvoker;
  const qr = { query: async () => undefined } as unknown as QueryRunner;
  const logger = new Logger('spec');
  jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
  const retrier = new ProjectionSavepointRetrier(invoker, 5, { initialMs: 5, maxMs: 20, multiplier: 2, jitter: 0 }, new HeartbeatPause(10), logger);
  const heartbeats = { count: 0 };
  const keepAlive = {
    heartbeat: async () => {
      heartbeats.count++;
    },
    isRunning: running,
  };
  return { retrier, qr, keepAlive, heartbeats, calls: () => calls };
}

describe('ProjectionSavepointRetrier', () => {
  it('heartbeats during every pause and applies the event once it succeeds', async () => {
    const { retrier, qr, keepAlive, heartbeats, calls } = setup(3);
    const applied: PreparedMessage[] = [];
    const dead: PreparedMessage[] = [];
    await retrier.apply(qr, [item()], applied, dead, keepAlive);
    expect(calls()).toBe(4);
    expect(applied).toHaveLength(1);
    expect(dead).toHaveLength(0);
    // At least one heartbeat per pause (3 pauses), more for the longer ones (slices of 5 ms).
    expect(heartbeats.count).toBeGreaterThanOrEqual(3 * 2);
  });

  it('hands the event back as a dead letter after maxAttempts', async () => {
    const { retrier, qr, keepAlive } = setup(99);
    const dead: PreparedMessage[] = [];
    await retrier.apply(qr, [item()], [], dead, keepAlive);
    expect(dead).toEqual([expect.objectContaining({ failure: { reason: 'handler-failed', error: 'not yet', attempts: 5 } })]);
  });

  it('leaves the batch when the consumer stops during a pause', async () => {
    const { retrier, qr, keepAlive, calls } = setup(99, () => false);
    await expect(retrier.apply(qr, [item()], [], [], keepAlive)).rejects.toBeInstanceOf(BatchAbortedError);
    expect(calls()).toBe(1);
  });
});
