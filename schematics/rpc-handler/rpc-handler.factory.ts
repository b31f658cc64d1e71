import { strings } from '@angular-devkit/core';
import { apply, applyTemplates, chain, mergeWith, move, url, type Rule } from '@angular-devkit/schematics';
import { addToModule, assertAbsent, assertModuleUses } from '../utils/module-declarations';
import { normalizeName, templateHelpers } from '../utils/names';
import { resolveService } from '../utils/workspace';
import type { RpcHandlerOptions } from './rpc-handler.schema';

/** `rpc-handler <name> --service <svc>`: an `@RpcContract` request/response pair and an `@RpcHandler` provider. */
export function main(options: RpcHandlerOptions): Rule {
  return (tree) => {
    const name = normalizeName(options.name, 'RPC method');
    const service = resolveService(tree, options);
    const directory = `${service.sourceRoot}/rpc`;
    assertAbsent(tree, [`${directory}/${name}.contract.ts`, `${directory}/${name}.handler.ts`], 'pick another method name or delete the file.');
    assertModuleUses(tree, service.modulePath, 'RpcModule', 'add `RpcModule.forRoot({})` (from @tributary/rpc) to its imports first.');
    const handlerClass = `${strings.classify(name)}Handler`;
    return chain([
      mergeWith(
        apply(url('./files'), [
          applyTemplates({ ...templateHelpers(), name, service: service.name, method: `${service.name}.${name}`, idempotent: options.idempotent === true }),
          move(directory),
        ]),
      ),
      addToModule(service.modulePath, {
        imports: [{ symbol: handlerClass, from: `${directory}/${name}.handler` }],
        metadata: [{ key: 'providers', value: handlerClass }],
      }),
    ]);
  };
}
