import 'reflect-metadata';
import { IsInt } from 'class-validator';
import { DynamicConfig } from './decorators/dynamic-config.decorator';
import { configHandleToken } from './decorators/inject-config.decorator';
import { DYNAMIC_CONFIG_MODULE_OPTIONS } from './dynamic-config.constants';
import { DynamicConfigFeatureModule, DynamicConfigModule } from './dynamic-config.module';

@DynamicConfig({ entry: 'limits' })
class OrderLimits {
  @IsInt() maxItems = 10;
}

const tokens = (providers: unknown[] = []) => providers.map((p) => (p as { provide?: unknown }).provide ?? p);

describe('DynamicConfigModule', () => {
  it('forRoot: global, one @InjectConfig provider per class, configs kept out of the options', () => {
    const module = DynamicConfigModule.forRoot({ configs: [OrderLimits], topic: 'cfg' });
    expect(module.global).toBe(true);
    expect(tokens(module.providers)).toContain(configHandleToken(OrderLimits));
    expect(module.exports).toContain(configHandleToken(OrderLimits));
    const options = module.providers!.find((p) => (p as { provide?: unknown }).provide === DYNAMIC_CONFIG_MODULE_OPTIONS) as { useValue: object };
    expect(options.useValue).toEqual({ topic: 'cfg' });
  });

  it('forRootAsync: the configs extra works there too', () => {
    const module = DynamicConfigModule.forRootAsync({ configs: [OrderLimits], isGlobal: false, useFactory: () => ({}) });
    expect(module.global).toBe(false);
    expect(tokens(module.providers)).toContain(configHandleToken(OrderLimits));
  });

  it('forFeature: handles for more classes in a feature module', () => {
    const module = DynamicConfigModule.forFeature([OrderLimits]);
    expect(module.module).toBe(DynamicConfigFeatureModule);
    expect(module.exports).toEqual([configHandleToken(OrderLimits)]);
  });

  it('gives each class one stable token', () => {
    expect(configHandleToken(OrderLimits)).toBe(configHandleToken(OrderLimits));
  });
});
