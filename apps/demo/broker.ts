import * as path from 'node:path';

/** Brokers from KAFKA_BROKERS, or a local Kafka started (or reused) by tools/kafka. */
export async function demoBrokers(): Promise<string[]> {
  if (process.env.KAFKA_BROKERS) return process.env.KAFKA_BROKERS.split(',');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const kafka = require(path.resolve(__dirname, '../../tools/kafka/kafka.js')) as {
    start(o: object): Promise<{ brokers: string[] }>;
  };
  console.log('KAFKA_BROKERS is not set: starting (or reusing) the local broker, npm run kafka:stop stops it');
  const { brokers } = await kafka.start({ name: 'dev', port: 9092 });
  return brokers;
}
