import { Controller, Get, Header, Inject, NotFoundException, Param, Query, Req, Res, UseGuards, type CanActivate, type Type } from '@nestjs/common';
import { DiscoveryClient, type Catalogue } from '@tributary/discovery';
import { REGISTRY_HTTP_SETTINGS, type RegistryHttpSettings } from './registry-http-settings';
import { RegistryEventStreams } from './registry-event-streams';
import { registryServices, type RegistryServiceView } from './registry-view';

/**
 * The registry's HTTP face under `path`: services with their instances, one service, the topology,
 * and a live SSE stream. Thin: the data comes from `DiscoveryClient`. A class per module
 * definition, because the route and the guards are decorator arguments.
 */
export function createRegistryHttpController(path: string, guards: Array<Type<CanActivate> | CanActivate>): Type<unknown> {
  @Controller(path)
  @UseGuards(...guards)
  class TributaryRegistryController {
    constructor(
      private readonly discovery: DiscoveryClient,
      private readonly streams: RegistryEventStreams,
      @Inject(REGISTRY_HTTP_SETTINGS) private readonly settings: RegistryHttpSettings,
    ) {}

    /** Every service with its live instances. */
    @Get('services')
    @Header('Cache-Control', 'no-store')
    async services(): Promise<{ services: RegistryServiceView[] }> {
      await this.registryRead();
      return { services: registryServices(this.discovery.instances()) };
    }

    /** One service; 404 when it has no live instance. */
    @Get('services/:name')
    @Header('Cache-Control', 'no-store')
    async service(@Param('name') name: string): Promise<RegistryServiceView> {
      await this.registryRead();
      const [view] = registryServices(this.discovery.instances(name));
      if (!view) throw new NotFoundException(`no live instance of service "${name}" in the registry`);
      return view;
    }

    /** Who publishes, consumes and serves what. */
    @Get('topology')
    @Header('Cache-Control', 'no-store')
    async topology(): Promise<Catalogue> {
      await this.registryRead();
      return this.discovery.catalogue();
    }

    /** Server-Sent Events: `snapshot`, then `change` per registry change; `?service=` narrows it to one service. */
    @Get('stream')
    async stream(@Req() request: unknown, @Res() response: unknown, @Query('service') service?: string): Promise<void> {
      await this.registryRead();
      this.streams.start(request, response, typeof service === 'string' && service.length > 0 ? service : undefined);
    }

    /** Right after start the registry may not be read yet: wait a bounded time, then answer with what is known. */
    private async registryRead(): Promise<void> {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.discovery.ready(),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, this.settings.readyTimeoutMs))),
      ]);
      clearTimeout(timer);
    }
  }
  return TributaryRegistryController;
}
