import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { inventoryConfig } from './config';
import { InventoryModule } from './inventory.module';

async function bootstrap(): Promise<void> {
  // Work arrives over Kafka (projection, RPC); HTTP serves only /metrics.
  const app = await NestFactory.create(InventoryModule);
  app.enableShutdownHooks();
  await app.listen(inventoryConfig().httpPort, '127.0.0.1');
}

void bootstrap();
