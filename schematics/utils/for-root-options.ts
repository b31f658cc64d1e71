import type { Rule } from '@angular-devkit/schematics';
import * as ts from 'typescript';
import { withImports, type ModuleImport } from './module-declarations';

/** An element to add to an array option of a `forRoot({...})` call, e.g. an event to `OutboxModule.forRoot({ events })`. */
export interface ForRootArrayAddition {
  /** The call, as written: `OutboxModule.forRoot`. */
  call: string;
  /** The array property of its options object: `events`. */
  property: string;
  /** The element, as code: `PaymentCaptured`. */
  element: string;
  /** Import the element needs. */
  import: ModuleImport;
}

/** Text of `content` with `element` added to `call({ property: [...] })`; undefined when there is no such call with an object literal. */
export function addToForRootArray(content: string, { call, property, element }: Omit<ForRootArrayAddition, 'import'>): string | undefined {
  const source = ts.createSourceFile('module.ts', content, ts.ScriptTarget.Latest, true);
  let result: string | undefined;
  const visit = (node: ts.Node): void => {
    if (result !== undefined) return;
    const options = ts.isCallExpression(node) && node.expression.getText(source) === call ? node.arguments[0] : undefined;
    if (!options || !ts.isObjectLiteralExpression(options)) return ts.forEachChild(node, visit);
    const existing = options.properties.find((p) => ts.isPropertyAssignment(p) && p.name.getText(source) === property) as ts.PropertyAssignment | undefined;
    if (!existing) {
      // No such option yet: it becomes the first property.
      const at = options.getStart(source) + 1;
      const rest = options.properties.length > 0 ? ',' : ' ';
      result = `${content.slice(0, at)} ${property}: [${element}]${rest}${content.slice(at)}`;
      return;
    }
    const array = existing.initializer;
    if (!ts.isArrayLiteralExpression(array)) return; // computed elsewhere: leave it to the user
    if (array.elements.some((e) => e.getText(source) === element)) {
      result = content;
      return;
    }
    const last = array.elements[array.elements.length - 1];
    const at = last ? last.getEnd() : array.getStart(source) + 1;
    result = `${content.slice(0, at)}${last ? `, ${element}` : element}${content.slice(at)}`;
  };
  visit(source);
  return result;
}

/**
 * Adds an element to an array option of a `forRoot` call in `filePath` (and its import). Files
 * without the call are left alone; when the call is there but its options are not literal (a
 * factory, a variable), it says what to add by hand.
 */
export function addToForRootOption(filePath: string, addition: ForRootArrayAddition): Rule {
  return (tree, context) => {
    const content = tree.read(filePath)?.toString('utf-8');
    if (content === undefined || !content.includes(addition.call)) return tree; // the app does not use that module
    const updated = addToForRootArray(content, addition);
    if (updated === undefined) {
      context.logger.info(`${filePath}: no ${addition.call}({ ${addition.property}: [...] }) found; add ${addition.element} there yourself.`);
      return tree;
    }
    if (updated !== content) tree.overwrite(filePath, withImports(updated, filePath, [addition.import]));
    return tree;
  };
}
