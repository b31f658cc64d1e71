import { BadRequestException, Body, Controller, Get, Headers, Put } from '@nestjs/common';
import { DynamicConfigService, InvalidConfigValueException } from '@tributary/config';
import { OrderLimits } from './order-limits.config';

/**
 * `GET /config/limits` and `PUT /config/limits` — change orders' limits at run time. The write is
 * validated by `OrderLimits`' rules (400 naming the property otherwise) and audited with the
 * `x-actor` header as the actor. Guard this in a real service.
 */
@Controller('config/limits')
export class ConfigLimitsController {
  constructor(private readonly config: DynamicConfigService) {}

  @Get()
  current(): OrderLimits {
    return this.config.get(OrderLimits);
  }

  @Put()
  async change(@Body() body: Partial<OrderLimits>, @Headers('x-actor') actor?: string): Promise<OrderLimits> {
    try {
      return await this.config.set(OrderLimits, body ?? {}, { actor: actor || 'orders-http' });
    } catch (e) {
      if (e instanceof InvalidConfigValueException) throw new BadRequestException({ message: e.message, violations: e.violations });
      throw e;
    }
  }
}
