import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { InventoryModule } from './inventory.module';
import { inventorySettings } from './inventory-environment';

async function bootstrap(): Promise<void> {
  // Work arrives over Kafka (projection, RPC); HTTP serves only health and /metrics.
  const app = await NestFactory.create(InventoryModule);
  app.enableShutdownHooks();
  const { httpPort, httpHost } = inventorySettings(app.get(ConfigService));
  await app.listen(httpPort, httpHost);
  new Logger('inventory').log(`listening on ${await app.getUrl()}`);
}

bootstrap().catch((e: Error) => {
  console.error(`inventory failed to start: ${e.message}`);
  process.exit(1);
});
