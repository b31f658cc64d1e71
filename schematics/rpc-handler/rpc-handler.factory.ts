import { strings } from '@angular-devkit/core';
import { chain, type Rule } from '@angular-devkit/schematics';
import { addToModule, assertAbsent, assertModuleUses } from '../utils/module-declarations';
import { normalizeName } from '../utils/names';
import { renderTemplates, specOptions } from '../utils/templates';
import { resolveService } from '../utils/workspace';
import type { RpcHandlerOptions } from './rpc-handler.schema';

/** `rpc-handler <name> --service <svc>`: an `@RpcContract` request/response pair and an `@RpcHandler` provider. */
export function main(options: RpcHandlerOptions): Rule {
  return (tree) => {
    const name = normalizeName(options.name, 'RPC method');
    const service = resolveService(tree, options);
    const directory = `${service.sourceRoot}/rpc`;
    assertModuleUses(tree, service.modulePath, 'RpcModule', 'add `RpcModule.forRoot({})` (from @tributary/rpc) to its imports first.');
    const handlerClass = `${strings.classify(name)}Handler`;
    const spec = specOptions(options);
    const files = [`${directory}/${name}.contract.ts`, `${directory}/${name}.handler.ts`];
    if (spec.spec) files.push(`${directory}/${name}.handler.${spec.specFileSuffix}.ts`);
    assertAbsent(tree, files, 'pick another method name or delete the file.');
    return chain([
      renderTemplates(directory, { name, service: service.name, method: `${service.name}.${name}`, idempotent: options.idempotent === true }, spec),
      addToModule(service.modulePath, {
        imports: [{ symbol: handlerClass, from: `${directory}/${name}.handler` }],
        metadata: [{ key: 'providers', value: handlerClass }],
      }),
    ]);
  };
}
