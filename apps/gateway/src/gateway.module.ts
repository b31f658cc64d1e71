import { Module } from '@nestjs/common';
import { ConditionalModule, ConfigModule, ConfigService } from '@nestjs/config';
import { TerminusModule } from '@nestjs/terminus';
import { DiscoveryModule, TributaryService } from '@tributary/discovery';
import { GatewayModule as GatewayRoutesModule, RegistryHttpModule } from '@tributary/gateway';
import { KafkaModule, TributaryMetricsModule } from '@tributary/kafka';
import { RpcModule } from '@tributary/rpc';
import { GatewayController } from './gateway.controller';
import { GatewayDashboardModule } from './gateway-dashboard.module';
import { GatewayEnvironment, gatewaySettings, validateGatewayEnvironment } from './gateway-environment';
import { GatewayRoutes } from './gateway.routes';

type Env = ConfigService<GatewayEnvironment, true>;

/**
 * The edge: declared HTTP routes onto orders' and inventory's RPC contracts, the registry over
 * HTTP (`/registry`, with an SSE stream), the live catalogue, and the operator dashboard.
 */
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
    GatewayRoutesModule.forRoot({ routeClasses: [GatewayRoutes] }),
    // GET /registry/services, /registry/services/:name, /registry/topology, /registry/stream (SSE).
    RegistryHttpModule.forRoot({ path: 'registry' }),
    // A string condition would mean "unless 'false'", so unset would count as set: test the value.
    ConditionalModule.registerWhen(GatewayDashboardModule, (env) => Boolean(env.DASHBOARD_PASSWORD), { debug: false }),
    TerminusModule,
    TributaryMetricsModule.register(),
  ],
  controllers: [GatewayController],
})
export class GatewayModule {}
