import type { Producer } from 'kafkajs';
import { producerBatchSender } from './send-queue';

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
