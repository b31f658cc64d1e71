import { DynamicConfig } from '@tributary/config';
import { IsInt, Max, Min } from 'class-validator';

/**
 * Orders' dynamic configuration entry `orders/limits`, on the compacted config topic: every live
 * instance follows changes within seconds, without a restart. The initialisers are the defaults.
 */
@DynamicConfig({ entry: 'limits' })
export class OrderLimits {
  /** Most items (the quantity) one order may hold; a larger order is refused with 400. */
  @IsInt() @Min(1) @Max(1000) maxQuantity = 100;
}
