import { strings } from '@angular-devkit/core';
import { SchematicsException } from '@angular-devkit/schematics';

const DASHED_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/**
 * Normalises a user-given name to kebab-case (`OrderPlaced`, `order_placed` → `order-placed`) and
 * rejects what cannot become a file, class, topic and method name all at once.
 */
export function normalizeName(raw: unknown, what: string): string {
  const name = typeof raw === 'string' ? strings.dasherize(raw.trim().replace(/_/g, '-')) : '';
  if (!DASHED_NAME.test(name)) {
    throw new SchematicsException(
      `Invalid ${what} name ${JSON.stringify(raw)}: use letters, digits and dashes, starting with a letter (e.g. "order-placed").`,
    );
  }
  return name;
}

/** Template helpers: Angular's string helpers plus the names the templates share. */
export function templateHelpers(): Record<string, unknown> {
  return {
    ...strings,
    /** SQL-safe table name: `customer-directory` → `customer_directory`. */
    snake: (value: string) => strings.underscore(value),
  };
}
