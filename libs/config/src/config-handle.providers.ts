import type { Provider, Type } from '@nestjs/common';
import { configHandleToken } from './decorators/inject-config.decorator';
import { DynamicConfigService } from './dynamic-config.service';

/** One `@InjectConfig(X)` provider per class; creating it registers the class before the topic is read. */
export function configHandleProviders(configs: Type<object>[]): Provider[] {
  return configs.map((config) => ({
    provide: configHandleToken(config),
    useFactory: (service: DynamicConfigService) => service.handle(config),
    inject: [DynamicConfigService],
  }));
}
