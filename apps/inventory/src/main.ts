import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { InventoryModule } from './inventory.module';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.createApplicationContext(InventoryModule);
  app.enableShutdownHooks();
}

void bootstrap();
