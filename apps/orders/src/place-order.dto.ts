import { IsInt, IsString, Length, Min } from 'class-validator';

/** Body of `POST /orders`. The upper bound on `quantity` is dynamic: `OrderLimits.maxQuantity`. */
export class PlaceOrder {
  @IsString() @Length(1, 100) customerId!: string;
  @IsString() @Length(1, 100) sku!: string;
  @IsInt() @Min(1) quantity!: number;
}
