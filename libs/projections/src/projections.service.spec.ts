import { Test } from '@nestjs/testing';
import { IntegrationEvent, KafkaModule } from '@tributary/kafka';
import { DataSource } from 'typeorm';
import { On } from './decorators/on.decorator';
import { Projection } from './decorators/projection.decorator';
import { DuplicateProjectionException } from './exceptions/duplicate-projection.exception';
import { ProjectionsConfigurationException } from './exceptions/projections-configuration.exception';
import type { ProjectionsModuleOptions } from './interfaces/projections-module-options.interface';
import { ProjectionsModule } from './projections.module';

@IntegrationEvent({ type: 'service-spec.happened', topic: 'service-spec.events' })
class Happened {}

@Projection({ name: 'same-name' })
class First {
  @On(Happened) handle() {}
}

@Projection({ name: 'same-name' })
class Second {
  @On(Happened) handle() {}
}

@Projection({ name: 'no-handlers' })
class Empty {}

/** Bootstrap only: these errors come before any connection to Kafka or the database. */
async function bootstrap(providers: Array<new () => object>, options: ProjectionsModuleOptions) {
  const moduleRef = await Test.createTestingModule({
    imports: [
      KafkaModule.forRoot({ brokers: '127.0.0.1:1', serviceName: 'spec', connectOnBootstrap: false, logLevel: 'nothing' }),
      ProjectionsModule.forRoot(options),
    ],
    providers,
  }).compile();
  try {
    await moduleRef.init();
  } finally {
    await moduleRef.close();
  }
}

describe('ProjectionsService bootstrap errors', () => {
  // An sqlite DataSource object that is never initialised: bootstrap fails before touching it.
  const dataSource = Object.assign(Object.create(DataSource.prototype) as DataSource, {
    isInitialized: true,
    options: { type: 'better-sqlite3' },
  });

  it('rejects two projections with one name, naming both classes', async () => {
    await expect(bootstrap([First, Second], { dataSource })).rejects.toThrow(DuplicateProjectionException);
    await expect(bootstrap([First, Second], { dataSource })).rejects.toThrow(/First and Second/);
  });

  it('rejects a projection without handlers', async () => {
    await expect(bootstrap([Empty], { dataSource })).rejects.toThrow(/Empty has no @On handler/);
  });

  it('says how to provide a DataSource when there is none', async () => {
    await expect(bootstrap([First], {})).rejects.toThrow(ProjectionsConfigurationException);
    await expect(bootstrap([First], {})).rejects.toThrow(/import TypeOrmModule\.forRoot/);
  });

  it('rejects an unsupported database', async () => {
    const oracle = Object.assign(Object.create(DataSource.prototype) as DataSource, { isInitialized: true, options: { type: 'oracle' } });
    await expect(bootstrap([First], { dataSource: oracle })).rejects.toThrow(/"oracle" is not supported/);
  });
});
