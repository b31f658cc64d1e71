import { getMetadataStorage, ValidationTypes, type ValidationArguments } from 'class-validator';

type Check = (object: Record<string, unknown>) => boolean | undefined;

/** A class-validator constraint as its metadata storage holds it. */
interface ConstraintMetadata {
  async?: boolean;
  instance: { validate(value: unknown, args: ValidationArguments): unknown };
}

/** A validation rule as class-validator's metadata storage holds it (the fields read here). */
interface RuleMetadata {
  type: string;
  propertyName: string;
  constraints: unknown[];
  constraintCls: Function;
  each?: boolean;
  validateIf?: (object: object, value: unknown) => boolean;
}

interface MetadataStorageView {
  getTargetValidationMetadatas(target: Function, schema: string | undefined, always: boolean, strictGroups: boolean, groups?: string[]): RuleMetadata[];
  groupByPropertyName(metadatas: RuleMetadata[]): Record<string, RuleMetadata[]>;
  getTargetValidatorConstraints(target: Function): ConstraintMetadata[];
}

const SUPPORTED = new Set<string>([ValidationTypes.CUSTOM_VALIDATION, ValidationTypes.IS_DEFINED, ValidationTypes.CONDITIONAL_VALIDATION, ValidationTypes.WHITELIST]);

/** One property's rules: run when every condition (`@IsOptional`, `@ValidateIf`) lets it. */
function propertyCheck(className: string, propertyName: string, rules: RuleMetadata[], storage: MetadataStorageView): Check | null {
  const conditions: Array<(object: object, value: unknown) => unknown> = [];
  const validators: Array<{ rule: RuleMetadata; constraint: ConstraintMetadata }> = [];
  for (const rule of rules) {
    if (!SUPPORTED.has(rule.type) || rule.each) return null;
    if (rule.type === ValidationTypes.WHITELIST) continue;
    if (rule.type === ValidationTypes.CONDITIONAL_VALIDATION) {
      if (typeof rule.constraints?.[0] !== 'function') return null;
      conditions.push(rule.constraints[0] as (object: object, value: unknown) => unknown);
      continue;
    }
    for (const constraint of storage.getTargetValidatorConstraints(rule.constraintCls)) {
      // class-validator's synchronous validation skips async constraints; so does this plan.
      if (!constraint.async) validators.push({ rule, constraint });
    }
  }
  return (object) => {
    const value = object[propertyName];
    for (const condition of conditions) if (!condition(object, value)) return true;
    for (const { rule, constraint } of validators) {
      if (rule.validateIf && !rule.validateIf(object, value)) continue;
      const valid = constraint.instance.validate(value, { targetName: className, property: propertyName, object, value, constraints: rule.constraints });
      // A promise from a constraint not declared async: let class-validator itself decide.
      if (valid instanceof Promise) return undefined;
      if (!valid) return false;
    }
    return true;
  };
}

/**
 * Per class, the validation class-validator would run, compiled once: the rules are looked up and
 * grouped once instead of on every call (class-validator walks its whole metadata storage per
 * `validateSync`). Only plain rules are compiled — custom and built-in constraints, `@IsDefined`,
 * `@IsOptional`/`@ValidateIf`, `@Allow`; a class with nested, `each` or promise rules has no plan.
 */
export type EventValidationPlan = (event: object) => boolean | undefined;

const plans = new WeakMap<Function, EventValidationPlan | null>();

function compile(target: Function): EventValidationPlan | null {
  const storage = getMetadataStorage() as unknown as MetadataStorageView;
  if (typeof storage.getTargetValidationMetadatas !== 'function' || typeof storage.getTargetValidatorConstraints !== 'function') return null;
  // The arguments validateSync(event) passes: no schema, no groups, `always` and `strictGroups` off.
  const grouped = storage.groupByPropertyName(storage.getTargetValidationMetadatas(target, undefined, false, false, undefined));
  const checks: Check[] = [];
  for (const [propertyName, rules] of Object.entries(grouped)) {
    const check = propertyCheck(target.name, propertyName, rules, storage);
    if (!check) return null;
    checks.push(check);
  }
  return (event) => {
    let result: boolean | undefined = true;
    for (const check of checks) {
      const valid = check(event as Record<string, unknown>);
      if (valid === false) return false;
      if (valid === undefined) result = undefined;
    }
    return result;
  };
}

/**
 * The compiled plan of `target`, or null when it cannot be compiled. A plan answers true (class-
 * validator would report nothing), false (it would report a violation) or undefined (ask it).
 */
export function validationPlanOf(target: Function): EventValidationPlan | null {
  let plan = plans.get(target);
  if (plan === undefined) {
    plan = compile(target);
    plans.set(target, plan);
  }
  return plan;
}
