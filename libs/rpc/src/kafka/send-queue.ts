import type { Message, Producer, TopicMessages } from 'kafkajs';
import type { RpcAcks } from '../interfaces/rpc-module-options.interface';

interface Queued {
  topic: string;
  message: Message;
  done: (error?: Error) => void;
}

/** Sends one coalesced batch; resolves with the topics whose messages failed (others were sent), rejects when all failed. */
export type BatchSender = (topicMessages: TopicMessages[]) => Promise<ReadonlyMap<string, Error> | void>;

/** A `BatchSender` over one producer (`sendBatch` with the RPC `acks`): one failure fails the whole batch. */
export function producerBatchSender(producer: () => Producer | undefined, acks: RpcAcks): BatchSender {
  return async (topicMessages) => {
    const current = producer();
    if (!current) throw new Error('the producer is closed');
    await current.sendBatch({ topicMessages, acks });
  };
}

/**
 * Coalesces messages into few produce requests: one request at a time, and whatever arrived
 * meanwhile goes in the next one. Alone, a message waits only for the current tick to end; under
 * load, batches grow by themselves instead of flooding the socket with tiny requests.
 */
export class SendQueue {
  private queue: Queued[] = [];
  private scheduled = false;
  private sending = false;

  constructor(private readonly sendBatch: BatchSender) {}

  send(topic: string, message: Message): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ topic, message, done: (e) => (e ? reject(e) : resolve()) });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.sending) return;
    this.scheduled = true;
    setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    if (this.queue.length === 0) return;
    this.sending = true;
    try {
      await this.sendNow();
    } finally {
      this.sending = false;
      if (this.queue.length > 0) this.schedule();
    }
  }

  private async sendNow(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    const byTopic = new Map<string, Message[]>();
    for (const q of batch) {
      const list = byTopic.get(q.topic) ?? [];
      list.push(q.message);
      byTopic.set(q.topic, list);
    }
    const topicMessages: TopicMessages[] = [...byTopic].map(([topic, messages]) => ({ topic, messages }));
    try {
      const failed = await this.sendBatch(topicMessages);
      for (const q of batch) q.done(failed?.get(q.topic));
    } catch (e) {
      for (const q of batch) q.done(e as Error);
    }
  }
}
