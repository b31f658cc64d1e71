import { Body, Controller, Get, Post, ValidationPipe } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { KafkaHealthIndicator } from '@tributary/kafka';
import { OutboxHealthIndicator } from '@tributary/outbox';
import { OrdersService } from './orders.service';
import { PlaceOrder } from './place-order.dto';

@Controller()
export class OrdersController {
  constructor(
    private readonly orders: OrdersService,
    private readonly health: HealthCheckService,
    private readonly kafka: KafkaHealthIndicator,
    private readonly outbox: OutboxHealthIndicator,
  ) {}

  /** 201 with the order; 400 naming the field for a bad body, or when over `OrderLimits.maxQuantity`. */
  @Post('orders')
  place(@Body(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true })) body: PlaceOrder) {
    return this.orders.placeOrder(body);
  }

  @Get('health')
  @HealthCheck()
  check() {
    return this.health.check([() => this.kafka.isHealthy('kafka'), () => this.outbox.isHealthy('outbox')]);
  }
}
