import { Body, Controller, Get, Post } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { KafkaHealthIndicator } from '@tributary/kafka';
import { OutboxHealthIndicator } from '@tributary/outbox';
import { OrdersService, type PlaceOrder } from './orders.service';

@Controller()
export class OrdersController {
  constructor(
    private readonly orders: OrdersService,
    private readonly health: HealthCheckService,
    private readonly kafka: KafkaHealthIndicator,
    private readonly outbox: OutboxHealthIndicator,
  ) {}

  @Post('orders')
  place(@Body() body: PlaceOrder) {
    return this.orders.placeOrder(body);
  }

  @Get('health')
  @HealthCheck()
  check() {
    return this.health.check([() => this.kafka.isHealthy('kafka'), () => this.outbox.isHealthy('outbox')]);
  }
}
