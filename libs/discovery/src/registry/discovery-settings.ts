import { Inject, Injectable } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { KafkaClient } from '@tributary/kafka';
import { TributaryService, type TributaryServiceOptions } from '../decorators/tributary-service.decorator';
import { DISCOVERY_MODULE_OPTIONS } from '../discovery-module-definition';
import { resolveDiscoveryOptions, type ResolvedDiscoveryOptions } from '../discovery-options';
import { DiscoveryConfigurationException } from '../exceptions/discovery-configuration.exception';
import type { DiscoveryModuleOptions } from '../interfaces/discovery-module-options.interface';

/**
 * Who this instance is (service, version, instance id) and how the registry is set up: options
 * first, then `@TributaryService` on a module, then KafkaModule's service name. Resolved once.
 */
@Injectable()
export class DiscoverySettings {
  private resolved?: ResolvedDiscoveryOptions;
  private ensured?: Promise<void>;

  constructor(
    @Inject(DISCOVERY_MODULE_OPTIONS) private readonly options: DiscoveryModuleOptions,
    private readonly modules: ModulesContainer,
    private readonly kafka: KafkaClient,
  ) {}

  get value(): ResolvedDiscoveryOptions {
    this.resolved ??= resolveDiscoveryOptions(this.options ?? {}, this.decoratedService(), this.kafka.serviceName);
    return this.resolved;
  }

  /** Create the compacted registry topic once per process (no-op when it exists). */
  ensureRegistryTopic(): Promise<void> {
    this.ensured ??= this.kafka.admin
      .ensureTopics([{ topic: this.value.registryTopic, numPartitions: this.value.registryPartitions, compacted: true }])
      .catch((e: unknown) => {
        this.ensured = undefined;
        throw e;
      });
    return this.ensured;
  }

  private decoratedService(): TributaryServiceOptions | undefined {
    const found = new Map<Function, TributaryServiceOptions>();
    for (const module of this.modules.values()) {
      const meta = Reflect.getMetadata(TributaryService.KEY, module.metatype) as TributaryServiceOptions | undefined;
      if (meta) found.set(module.metatype, meta);
    }
    if (found.size > 1) {
      const names = [...found.keys()].map((m) => m.name).join(', ');
      throw new DiscoveryConfigurationException(`@TributaryService is on several modules (${names}); keep it on the root module only.`);
    }
    const [meta] = found.values();
    if (meta && (typeof meta.name !== 'string' || meta.name.length === 0)) {
      throw new DiscoveryConfigurationException('@TributaryService needs a `name`, e.g. @TributaryService({ name: "inventory" }).');
    }
    return meta;
  }
}
