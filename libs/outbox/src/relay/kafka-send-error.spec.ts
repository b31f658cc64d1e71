import { classifySendError, describeSendError, isOutOfSequence } from './kafka-send-error';

function kafkaError(name: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${name} happened`), { name, ...extra });
}

describe('classifySendError', () => {
  it('blames the records for size, validity and topic errors, also when wrapped by retries', () => {
    expect(classifySendError(kafkaError('KafkaJSProtocolError', { type: 'MESSAGE_TOO_LARGE' }))).toBe('rejected');
    const wrapped = kafkaError('KafkaJSNumberOfRetriesExceeded', {
      originalError: kafkaError('KafkaJSProtocolError', { type: 'UNKNOWN_TOPIC_OR_PARTITION', retriable: true }),
    });
    expect(classifySendError(wrapped)).toBe('rejected');
  });

  it('treats connection, timeout and leadership errors as an outage', () => {
    expect(classifySendError(kafkaError('KafkaJSConnectionError'))).toBe('outage');
    expect(classifySendError(kafkaError('KafkaJSRequestTimeoutError'))).toBe('outage');
    expect(classifySendError(kafkaError('KafkaJSProtocolError', { type: 'LEADER_NOT_AVAILABLE' }))).toBe('outage');
    expect(classifySendError(kafkaError('KafkaConnectionException'))).toBe('outage');
  });

  it('blames the records for errors that are not Kafka errors', () => {
    expect(classifySendError(new TypeError('bad header'))).toBe('rejected');
  });
});

describe('describeSendError', () => {
  it('names the broker error type and truncates', () => {
    const e = kafkaError('KafkaJSNumberOfRetriesExceeded', {
      originalError: kafkaError('KafkaJSProtocolError', { type: 'RECORD_LIST_TOO_LARGE' }),
    });
    expect(describeSendError(e)).toBe('RECORD_LIST_TOO_LARGE: KafkaJSProtocolError happened');
    expect(describeSendError(new Error('x'.repeat(50)), 10)).toHaveLength(10);
  });
});

describe('isOutOfSequence', () => {
  it('finds OUT_OF_ORDER_SEQUENCE_NUMBER through retry wrappers, and nothing else', () => {
    const wrapped = kafkaError('KafkaJSNumberOfRetriesExceeded', {
      originalError: kafkaError('KafkaJSProtocolError', { type: 'OUT_OF_ORDER_SEQUENCE_NUMBER' }),
    });
    expect(isOutOfSequence(wrapped)).toBe(true);
    expect(isOutOfSequence(kafkaError('KafkaJSProtocolError', { type: 'MESSAGE_TOO_LARGE' }))).toBe(false);
    expect(isOutOfSequence(new Error('OUT_OF_ORDER_SEQUENCE_NUMBER in the message only'))).toBe(false);
  });
});
