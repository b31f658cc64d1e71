import type { Producer, TopicMessages } from 'kafkajs';
import { afterQueuedSends, producerBatchSender, SendQueue } from './send-queue';

describe('producerBatchSender', () => {
  it('sends with the configured acks', async () => {
    const sendBatch = jest.fn().mockResolvedValue([]);
    const producer = { sendBatch } as unknown as Producer;
    const topicMessages = [{ topic: 't', messages: [{ value: 'v' }] }];
    await producerBatchSender(() => producer, -1)(topicMessages);
    await producerBatchSender(() => producer, 1)(topicMessages);
    expect(sendBatch.mock.calls.map(([request]) => (request as { acks: number }).acks)).toEqual([-1, 1]);
  });

  it('fails when the producer is closed', async () => {
    await expect(producerBatchSender(() => undefined, 1)([])).rejects.toThrow(/closed/);
  });
});

describe('SendQueue', () => {
  const topicsOf = (batches: TopicMessages[][]) =>
    batches.map((b) => b.flatMap((t) => t.messages.map((m) => `${t.topic}:${String(m.value)}`)));

  it('sends what one turn queued in one batch, before afterQueuedSends resolves', async () => {
    const batches: TopicMessages[][] = [];
    const queue = new SendQueue(async (topicMessages) => {
      batches.push(topicMessages);
    });
    const sent = Promise.all([queue.send('a', { value: '1' }), queue.send('b', { value: '2' }), queue.send('a', { value: '3' })]);
    expect(batches).toHaveLength(0);
    await afterQueuedSends();
    expect(topicsOf(batches)).toEqual([['a:1', 'a:3', 'b:2']]);
    await sent;
  });

  it('holds what arrives during a send for the next batch, and fails only the topics that failed', async () => {
    const batches: TopicMessages[][] = [];
    let release!: () => void;
    const queue = new SendQueue(async (topicMessages) => {
      batches.push(topicMessages);
      if (batches.length === 1) await new Promise<void>((resolve) => (release = resolve));
      return new Map([['gone', new Error('gone')]]);
    });
    const first = queue.send('a', { value: '1' });
    await afterQueuedSends();
    const second = queue.send('a', { value: '2' });
    const third = queue.send('gone', { value: '3' });
    await afterQueuedSends();
    expect(topicsOf(batches)).toEqual([['a:1']]);
    release();
    await first;
    await second;
    await expect(third).rejects.toThrow('gone');
    expect(topicsOf(batches)).toEqual([['a:1'], ['a:2', 'gone:3']]);
  });
});
