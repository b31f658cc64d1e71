import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { GatewayModule } from './gateway.module';
import { gatewaySettings } from './gateway-environment';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(GatewayModule);
  app.enableShutdownHooks();
  const { httpPort, httpHost } = gatewaySettings(app.get(ConfigService));
  await app.listen(httpPort, httpHost);
  new Logger('gateway').log(`listening on ${await app.getUrl()}`);
}

bootstrap().catch((e: Error) => {
  console.error(`gateway failed to start: ${e.message}`);
  process.exit(1);
});
