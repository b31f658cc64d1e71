import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { GatewayModule } from './gateway.module';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(GatewayModule);
  app.enableShutdownHooks();
  await app.listen(Number(process.env.GATEWAY_HTTP_PORT ?? 3000), '127.0.0.1');
}

void bootstrap();
