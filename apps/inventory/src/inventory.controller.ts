import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { KafkaHealthIndicator } from '@tributary/kafka';
import { ProjectionsHealthIndicator } from '@tributary/projections';

@Controller()
export class InventoryController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly kafka: KafkaHealthIndicator,
    private readonly projections: ProjectionsHealthIndicator,
  ) {}

  @Get('health')
  @HealthCheck()
  check() {
    return this.health.check([() => this.kafka.isHealthy('kafka'), () => this.projections.isHealthy('projections')]);
  }
}
