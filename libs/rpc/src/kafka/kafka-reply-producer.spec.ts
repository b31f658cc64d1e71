import type { KafkaClient } from '@tributary/kafka';
import type { Producer } from 'kafkajs';
import { KafkaReplyProducer } from './kafka-reply-producer';

describe('KafkaReplyProducer', () => {
  it('sends replies with the configured acks', async () => {
    const sendBatch = jest.fn().mockResolvedValue([]);
    const kafka = { createProducer: async () => ({ sendBatch }) as unknown as Producer } as unknown as KafkaClient;
    const replies = new KafkaReplyProducer(kafka, -1);
    await replies.start();
    const failed = await replies.deliver([{ topic: 'replies.a', messages: [{ value: 'r' }] }]);
    expect(failed.size).toBe(0);
    expect(sendBatch).toHaveBeenCalledWith(expect.objectContaining({ acks: -1 }));
  });
});
