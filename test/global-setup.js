// Starts a fresh single-node Kafka for the test run unless KAFKA_BROKERS points at one already.
const kafka = require('../tools/kafka/kafka.js');

module.exports = async function globalSetup() {
  if (process.env.KAFKA_BROKERS) return;
  const port = Number(process.env.TRIBUTARY_TEST_KAFKA_PORT || 19092);
  const { brokers } = await kafka.start({ name: 'test', port, fresh: true });
  process.env.KAFKA_BROKERS = brokers.join(',');
  process.env.TRIBUTARY_TEST_KAFKA_STARTED = 'test';
};
