import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { OrdersModule } from './orders.module';
import { ordersSettings } from './orders-environment';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(OrdersModule);
  app.enableShutdownHooks();
  const { httpPort, httpHost } = ordersSettings(app.get(ConfigService));
  await app.listen(httpPort, httpHost);
  new Logger('orders').log(`listening on ${await app.getUrl()}`);
}

bootstrap().catch((e: Error) => {
  console.error(`orders failed to start: ${e.message}`);
  process.exit(1);
});
