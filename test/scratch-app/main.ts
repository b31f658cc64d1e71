// A Nest app outside the Tributary repo, built against the packed @tributary/* tarballs.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { IsString } from 'class-validator';
import {
  decodeEnvelope,
  encodeEnvelope,
  IntegrationEvent,
  KafkaClient,
  KafkaModule,
  createEventEnvelope,
} from '@tributary/kafka';
import { randomUUID } from 'node:crypto';

@IntegrationEvent({ type: 'scratch.pinged', topic: process.env.TOPIC ?? 'scratch.events', key: 'id' })
class Pinged {
  @IsString() id = randomUUID();
}

@Module({
  imports: [KafkaModule.forRoot({ brokers: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092', serviceName: 'scratch' })],
})
class AppModule {}

async function main(): Promise<void> {
  const app = await NestFactory.createApplicationContext(AppModule, { logger: ['error', 'warn'] });
  app.enableShutdownHooks();
  // Every other packed lib must load from its tarball too.
  for (const name of (process.env.TRIBUTARY_LIBS ?? '').split(',').filter(Boolean)) {
    const lib = require(`@tributary/${name}`) as Record<string, unknown>;
    if (Object.keys(lib).length === 0) throw new Error(`@tributary/${name} exports nothing`);
  }
  const client = app.get(KafkaClient);
  const event = new Pinged();
  const { topic, envelope } = createEventEnvelope(event, { source: client.serviceName });
  const eventId = envelope.eventId;
  await client.admin.ensureTopics([{ topic }]);
  let received: string | undefined;
  const runner = client.createConsumer({
    groupId: `scratch-${randomUUID()}`,
    topics: [topic],
    fromBeginning: true,
    eachBatch: async (batch) => {
      for (const message of batch.messages) {
        received = decodeEnvelope(message).eventId;
        batch.resolveOffset(message.offset);
      }
    },
  });
  await runner.start();
  const producer = await client.producer();
  await producer.send({
    topic,
    messages: [encodeEnvelope(envelope)],
  });
  const deadline = Date.now() + 30_000;
  while (received !== eventId && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await app.close();
  if (received !== eventId) throw new Error('the event did not come back');
  console.log(`SCRATCH_OK ${eventId}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
