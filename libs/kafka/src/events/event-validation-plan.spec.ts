import 'reflect-metadata';
import {
  Allow,
  ArrayMaxSize,
  IsDefined,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Max,
  Min,
  registerDecorator,
  ValidateIf,
  ValidateNested,
  validateSync,
  type ValidationArguments,
} from 'class-validator';
import { validationPlanOf } from './event-validation-plan';

function IsEvenWhenFlagged() {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isEvenWhenFlagged',
      target: target.constructor,
      propertyName,
      validator: { validate: (value: unknown, args: ValidationArguments) => !(args.object as { flagged?: boolean }).flagged || (typeof value === 'number' && value % 2 === 0) },
    });
}

class Base {
  @IsString() @Length(2, 8) id!: string;
}

class OrderPlaced extends Base {
  @IsInt() @Min(1) @Max(100) quantity!: number;
  @IsOptional() @IsEmail() email?: string;
  @IsIn(['new', 'paid']) status!: string;
  @ValidateIf((o: OrderPlaced) => o.status === 'paid') @IsDefined() paidAt?: string;
  @IsOptional() @ArrayMaxSize(2) tags?: string[];
  @IsEvenWhenFlagged() count!: number;
  @Allow() flagged?: boolean;
  @IsString({ validateIf: (o: OrderPlaced) => o.flagged === true }) note?: unknown;
}

class Line {
  @IsString() sku!: string;
}
class WithNested {
  @ValidateNested() line!: Line;
}
class WithEach {
  @IsString({ each: true }) names!: string[];
}

/** A deterministic pseudo-random source, so a failure can be replayed. */
function random(seed: number): () => number {
  let x = seed;
  return () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

const pick = <T>(r: () => number, values: T[]): T => values[Math.floor(r() * values.length)];

function randomOrder(r: () => number): OrderPlaced {
  const o = new OrderPlaced();
  const assign = (key: string, values: unknown[]) => {
    const v = pick(r, values);
    if (v !== '(absent)') (o as unknown as Record<string, unknown>)[key] = v;
  };
  assign('id', ['ab', 'abcdefgh', 'a', 'abcdefghi', 7, null, '(absent)']);
  assign('quantity', [1, 50, 100, 0, 101, 2.5, '3', null, '(absent)']);
  assign('email', ['a@b.io', 'nope', null, '(absent)']);
  assign('status', ['new', 'paid', 'gone', '(absent)']);
  assign('paidAt', ['2026-01-01', null, '(absent)']);
  assign('tags', [[], ['a', 'b'], ['a', 'b', 'c'], null, '(absent)']);
  assign('count', [2, 3, '(absent)']);
  assign('flagged', [true, false, '(absent)']);
  assign('note', ['n', 5, '(absent)']);
  return o;
}

describe('validationPlanOf', () => {
  it('agrees with validateSync on 3,000 random events (never accepts what class-validator rejects)', () => {
    const plan = validationPlanOf(OrderPlaced)!;
    expect(plan).not.toBeNull();
    const r = random(42);
    let accepted = 0;
    let rejected = 0;
    for (let i = 0; i < 3000; i++) {
      const event = randomOrder(r);
      const valid = validateSync(event, { forbidUnknownValues: false }).length === 0;
      const answer = plan(event);
      expect({ event, answer }).toEqual({ event, answer: valid });
      if (valid) accepted++;
      else rejected++;
    }
    // Both outcomes were exercised.
    expect(accepted).toBeGreaterThan(20);
    expect(rejected).toBeGreaterThan(20);
  });

  it('applies inherited rules', () => {
    const event = Object.assign(new OrderPlaced(), { id: 'x', quantity: 1, status: 'new', count: 2 });
    expect(validateSync(event).length).toBeGreaterThan(0);
    expect(validationPlanOf(OrderPlaced)!(event)).toBe(false);
  });

  it('has no plan for nested or each rules (class-validator runs them)', () => {
    expect(validationPlanOf(WithNested)).toBeNull();
    expect(validationPlanOf(WithEach)).toBeNull();
  });
});
