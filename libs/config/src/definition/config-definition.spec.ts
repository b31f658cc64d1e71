import 'reflect-metadata';
import { IsInt, IsOptional, IsString } from 'class-validator';
import { DynamicConfig } from '../decorators/dynamic-config.decorator';
import { DynamicConfigConfigurationException } from '../exceptions/dynamic-config-configuration.exception';
import { configKey, defineConfig } from './config-definition';

@DynamicConfig({ entry: 'limits' })
class OrderLimits {
  @IsInt() maxItems = 10;
  label = 'x';
  @IsOptional() @IsString() note?: string;
}

@DynamicConfig({ service: 'pricing', entry: 'rules' })
class PricingRules {
  @IsInt() discount = 0;
}

class Undecorated {}

describe('defineConfig', () => {
  it('keys an entry <service>/<entry>, the service from the module unless the decorator names one', () => {
    expect(defineConfig(OrderLimits, 'orders')).toMatchObject({ service: 'orders', entry: 'limits', key: 'orders/limits' });
    expect(defineConfig(PricingRules, 'orders').key).toBe('pricing/rules');
    expect(configKey('a', 'b')).toBe('a/b');
  });

  it('knows the properties with an initialiser or a rule', () => {
    expect([...defineConfig(OrderLimits, 'orders').knownProperties].sort()).toEqual(['label', 'maxItems', 'note']);
  });

  it('refuses a class without @DynamicConfig, naming it', () => {
    expect(() => defineConfig(Undecorated, 'orders')).toThrow(DynamicConfigConfigurationException);
    expect(() => defineConfig(Undecorated, 'orders')).toThrow(/Undecorated .*@DynamicConfig/);
  });

  it('refuses entry names that would break the key', () => {
    @DynamicConfig({ entry: 'a/b' })
    class Slashed {}
    expect(() => defineConfig(Slashed, 'orders')).toThrow(/entry of Slashed is "a\/b"/);
  });

  it('refuses a class that needs constructor arguments', () => {
    @DynamicConfig({ entry: 'needs-args' })
    class NeedsArgs {
      constructor(readonly x: { y: number }) {
        void x.y;
      }
    }
    expect(() => defineConfig(NeedsArgs, 'orders')).toThrow(/cannot be constructed without arguments/);
  });
});
