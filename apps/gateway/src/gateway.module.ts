import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { TerminusModule } from '@nestjs/terminus';
import { DiscoveryModule, TributaryService } from '@tributary/discovery';
import { KafkaModule, TributaryMetricsModule } from '@tributary/kafka';
import { RpcModule } from '@tributary/rpc';
import { GatewayController } from './gateway.controller';
import { GatewayEnvironment, gatewaySettings, validateGatewayEnvironment } from './gateway-environment';

type Env = ConfigService<GatewayEnvironment, true>;

/** The edge: HTTP in, typed RPC to orders and inventory, and the live service catalogue. */
@TributaryService({ name: 'gateway', version: '1.0.0' })
@Module({
  imports: [
    // Checks the environment when the module is loaded: a bad value stops the start, naming the variable.
    ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, validate: validateGatewayEnvironment }),
    KafkaModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (env: Env) => ({ brokers: gatewaySettings(env).brokers, serviceName: 'gateway' }),
    }),
    RpcModule.forRoot({ clients: ['inventory', 'orders'] }),
    DiscoveryModule.forRoot({}),
    TerminusModule,
    TributaryMetricsModule.register(),
  ],
  controllers: [GatewayController],
})
export class GatewayModule {}
