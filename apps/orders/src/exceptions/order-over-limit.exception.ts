import { BadRequestException } from '@nestjs/common';

/** An order holds more items than `OrderLimits.maxQuantity` allows (HTTP 400). */
export class OrderOverLimitException extends BadRequestException {
  constructor(quantity: number, maxQuantity: number) {
    super(`quantity ${quantity} is over the limit of ${maxQuantity} items per order (orders/limits maxQuantity); order less or raise the limit with PUT /config/limits`);
  }
}
