import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ordersConfig } from './config';
import { OrdersModule } from './orders.module';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(OrdersModule);
  app.enableShutdownHooks();
  await app.listen(ordersConfig().httpPort, '127.0.0.1');
}

void bootstrap();
