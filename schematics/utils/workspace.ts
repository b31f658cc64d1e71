import { SchematicsException, type Rule, type Tree } from '@angular-devkit/schematics';
import { applyEdits, modify, parse, printParseErrorCode, type ParseError } from 'jsonc-parser';

export const NEST_CLI_FILE = 'nest-cli.json';

/** One entry of `nest-cli.json` `projects`. */
export interface NestProject {
  type?: 'application' | 'library';
  root?: string;
  sourceRoot?: string;
  entryFile?: string;
  compilerOptions?: { tsConfigPath?: string };
}

/** What the generators need from `nest-cli.json`. */
export interface NestWorkspace {
  monorepo: boolean;
  sourceRoot?: string;
  projects: Record<string, NestProject>;
}

function readText(tree: Tree, path: string): string {
  const buffer = tree.read(path);
  if (!buffer) {
    throw new SchematicsException(`${path} not found: run the Tributary schematics at the root of a Nest workspace (where nest-cli.json is).`);
  }
  return buffer.toString('utf-8');
}

/**
 * Reads `nest-cli.json` (comments allowed, as the Nest CLI allows them) and insists on a
 * monorepo: every Tributary service is one app under `apps/`, sharing the workspace's libs.
 */
export function readNestWorkspace(tree: Tree): NestWorkspace {
  const errors: ParseError[] = [];
  const json = parse(readText(tree, NEST_CLI_FILE), errors, { allowTrailingComma: true }) as Partial<NestWorkspace> | undefined;
  if (errors.length > 0 || typeof json !== 'object' || json === null || Array.isArray(json)) {
    const detail = errors.length > 0 ? `${printParseErrorCode(errors[0].error)} at offset ${errors[0].offset}` : 'not an object';
    throw new SchematicsException(`${NEST_CLI_FILE} is not valid JSON (${detail}): fix it and run the schematic again.`);
  }
  if (json.monorepo !== true) {
    throw new SchematicsException(
      `${NEST_CLI_FILE} has no "monorepo": true. Tributary services live in a Nest monorepo: ` +
        'convert the workspace first (`nest generate app <name>` does it), then run this schematic again.',
    );
  }
  return { monorepo: true, sourceRoot: json.sourceRoot, projects: json.projects ?? {} };
}

/** Adds a project to `nest-cli.json` `projects`, keeping the file's formatting and comments. */
export function registerProject(name: string, project: NestProject): Rule {
  return (tree) => {
    const text = readText(tree, NEST_CLI_FILE);
    const edits = modify(text, ['projects', name], project, { formattingOptions: { insertSpaces: true, tabSize: 2 } });
    tree.overwrite(NEST_CLI_FILE, applyEdits(text, edits));
    return tree;
  };
}

/** Options shared by the generators that add code to an existing service. */
export interface ServiceTargetOptions {
  /** Service (Nest project) to add to. */
  service?: string;
  /** Set by `nest generate -p <project>`: same meaning as `service`. */
  project?: string;
  /** Set by `nest generate` from the chosen project: used when neither service nor project is given. */
  sourceRoot?: string;
}

/** A Tributary service found in the workspace. */
export interface ServiceTarget {
  name: string;
  sourceRoot: string;
  /** Path of the service's root module (`<sourceRoot>/<name>.module.ts`). */
  modulePath: string;
}

/**
 * Finds the service to generate into: `--service`, else `-p <project>` (what `nest generate`
 * passes), else the project whose sourceRoot the Nest CLI handed over.
 */
export function resolveService(tree: Tree, options: ServiceTargetOptions): ServiceTarget {
  const { projects } = readNestWorkspace(tree);
  const apps = Object.entries(projects).filter(([, p]) => p.type !== 'library');
  const fromSourceRoot = options.sourceRoot ? apps.find(([, p]) => trimSlashes(p.sourceRoot) === trimSlashes(options.sourceRoot)) : undefined;
  const name = options.service ?? options.project ?? fromSourceRoot?.[0];
  const known = apps.map(([n]) => n).sort().join(', ') || 'none';
  if (!name) {
    throw new SchematicsException(`Which service? Pass --service <name> (or -p <name> with nest generate). Services in ${NEST_CLI_FILE}: ${known}.`);
  }
  const project = projects[name];
  if (!project || project.type === 'library') {
    throw new SchematicsException(`Service "${name}" is not an application in ${NEST_CLI_FILE} projects (applications: ${known}).`);
  }
  const sourceRoot = trimSlashes(project.sourceRoot ?? `${project.root ?? `apps/${name}`}/src`);
  const modulePath = `${sourceRoot}/${name}.module.ts`;
  return { name, sourceRoot, modulePath };
}

function trimSlashes(path: string | undefined): string {
  return (path ?? '').replace(/^\.?\/+/, '').replace(/\/+$/, '');
}
