const kafka = require('../tools/kafka/kafka.js');

module.exports = async function globalTeardown() {
  if (process.env.TRIBUTARY_TEST_KAFKA_STARTED) {
    await kafka.stop({ name: process.env.TRIBUTARY_TEST_KAFKA_STARTED });
  }
};
