/*
 * npm run demo — the smallest real flow through the broker: a Nest app with KafkaModule publishes
 * an integration event in the Tributary envelope and reads it back with a consumer runner.
 */
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  decodeEnvelope,
  encodeEnvelope,
  IntegrationEvent,
  KafkaClient,
  KafkaModule,
  createEventEnvelope,
} from '@tributary/kafka';
import { IsString } from 'class-validator';
import { randomUUID } from 'node:crypto';
import { demoBrokers } from './broker';

@IntegrationEvent({ type: 'demo.hello-said', topic: 'demo.events', key: 'to' })
class HelloSaid {
  @IsString() to = 'world';
}

async function main(): Promise<void> {
  const brokers = await demoBrokers();
  @Module({ imports: [KafkaModule.forRoot({ brokers, serviceName: 'demo', logLevel: 'error' })] })
  class DemoModule {}
  const app = await NestFactory.createApplicationContext(DemoModule, { logger: ['error', 'warn'] });
  const client = app.get(KafkaClient);
  const { topic, envelope } = createEventEnvelope(new HelloSaid(), { source: client.serviceName });
  const eventId = envelope.eventId;
  await client.admin.ensureTopics([{ topic, numPartitions: 3 }]);

  const arrived = new Promise<void>((resolve) => {
    const runner = client.createConsumer({
      groupId: `demo-${randomUUID()}`,
      topics: [topic],
      fromBeginning: true,
      eachBatch: async (batch) => {
        for (const message of batch.messages) {
          const envelope = decodeEnvelope(message);
          if (envelope.eventId === eventId) {
            console.log(`received ${envelope.type} v${envelope.version} key=${envelope.key} from ${envelope.source}`);
            console.log(`  partition ${batch.partition} offset ${message.offset} payload ${JSON.stringify(envelope.payload)}`);
            resolve();
          }
          batch.resolveOffset(message.offset);
        }
      },
    });
    void runner.start();
  });
  const producer = await client.producer();
  await producer.send({
    topic,
    acks: -1,
    messages: [encodeEnvelope(envelope)],
  });
  console.log(`published ${envelope.type} ${eventId} to ${topic}`);
  await arrived;
  await app.close();
  console.log('demo done');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
