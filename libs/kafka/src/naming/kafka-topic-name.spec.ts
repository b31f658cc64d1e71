import { isKafkaTopicName } from './kafka-topic-name';

describe('isKafkaTopicName', () => {
  it.each(['orders.events', '_internal', 'a-b_c.1', 'x'.repeat(249)])('accepts %s', (name) => {
    expect(isKafkaTopicName(name)).toBe(true);
  });

  it.each(['', 'a b', 'orders/events', 'é', 'x'.repeat(250), undefined, 7])('refuses %p', (name) => {
    expect(isKafkaTopicName(name)).toBe(false);
  });
});
