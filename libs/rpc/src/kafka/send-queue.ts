import type { Message, Producer, TopicMessages } from 'kafkajs';

interface Queued {
  topic: string;
  message: Message;
  done: (error?: Error) => void;
}

/**
 * Coalesces the messages sent within one turn of the event loop into one produce request
 * (`sendBatch`, acks=1). Under load this turns hundreds of tiny requests into a few; alone, a
 * message waits only for the current tick to end.
 */
export class SendQueue {
  private queue: Queued[] = [];
  private scheduled = false;

  constructor(private readonly producer: () => Producer | undefined) {}

  send(topic: string, message: Message): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ topic, message, done: (e) => (e ? reject(e) : resolve()) });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    const producer = this.producer();
    if (!producer) {
      const error = new Error('the producer is closed');
      for (const q of batch) q.done(error);
      return;
    }
    const byTopic = new Map<string, Message[]>();
    for (const q of batch) {
      const list = byTopic.get(q.topic) ?? [];
      list.push(q.message);
      byTopic.set(q.topic, list);
    }
    const topicMessages: TopicMessages[] = [...byTopic].map(([topic, messages]) => ({ topic, messages }));
    try {
      // acks=1: the leader has it. Requests and replies are short-lived; a lost one ends in a timeout.
      await producer.sendBatch({ topicMessages, acks: 1 });
      for (const q of batch) q.done();
    } catch (e) {
      for (const q of batch) q.done(e as Error);
    }
  }
}
