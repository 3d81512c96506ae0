import { existsSync } from "node:fs";
import { isBuiltin } from "node:module";
import { basename, extname } from "node:path";
import { build } from "esbuild";
import type { FunctionSource } from "../../../local/template/functions";
import { samEsbuildOptions } from "../../support/sam-esbuild";

/**
 * What is wrong with a function's handler wiring: the entry point must exist, the
 * esbuild output (one entry → `<entry basename>.mjs` at the artifact root) must be
 * the module `Handler` names, and the module must export the named function.
 */
export async function handlerProblems(source: FunctionSource): Promise<string[]> {
  const problems: string[] = [];
  const { logicalId, entryPoint } = source;
  if (entryPoint === undefined) {
    return [`${logicalId}: Metadata.BuildProperties.EntryPoints is missing`];
  }
  if (!existsSync(entryPoint)) return [`${logicalId}: entry point ${entryPoint} does not exist`];
  const outputModule = basename(entryPoint, extname(entryPoint));
  if (source.handlerModule !== outputModule) {
    problems.push(
      `${logicalId}: Handler names module "${source.handlerModule}" but esbuild emits "${outputModule}"`,
    );
  }
  const loaded = (await import(entryPoint)) as Record<string, unknown>;
  if (typeof loaded[source.handlerExport] !== "function") {
    problems.push(
      `${logicalId}: ${entryPoint} does not export a function "${source.handlerExport}"`,
    );
  }
  return problems;
}

export interface Bundle {
  code: string;
  /** Source files that ended up in the bundle, relative to the project root. */
  inputs: string[];
}

/**
 * Bundles a function the way `sam build` does with the template's BuildProperties, except
 * that the SDK stays external and the output readable: the IAM check reads the commands
 * the code imports from `@aws-sdk/client-*` by name.
 */
export async function bundleFunction(source: FunctionSource): Promise<Bundle> {
  const options = samEsbuildOptions(source);
  const result = await build({
    ...options,
    external: [...(options.external ?? []), "@aws-sdk/*"],
    minify: false,
    sourcemap: false,
    write: false,
    metafile: true,
    outdir: "out",
  });
  const code = result.outputFiles.find((file) => /\.m?js$/.test(file.path))?.text ?? "";
  return { code, inputs: Object.keys(result.metafile.inputs) };
}

/** A package a function's bundle still imports at run time, and how. */
export interface PackageLeftOut {
  path: string;
  /** `import-statement` loads it with the module; `dynamic-import` only when that code runs. */
  kind: string;
}

/**
 * The packages a function's bundle, built exactly as the template's BuildProperties say,
 * still imports at run time (Node's built-ins aside): what Lambda would have to find
 * in a layer or the runtime, at import or when the code that imports them runs.
 */
export async function packagesLeftOut(source: FunctionSource): Promise<PackageLeftOut[]> {
  const result = await build({
    ...samEsbuildOptions(source),
    write: false,
    metafile: true,
    outdir: "out",
  });
  const imports = Object.values(result.metafile.outputs).flatMap((output) => output.imports);
  const left = imports
    .filter((entry) => entry.external && !isBuiltin(entry.path))
    .map((entry) => JSON.stringify({ path: entry.path, kind: entry.kind }));
  return [...new Set(left)].sort().map((entry) => JSON.parse(entry) as PackageLeftOut);
}

/** `@aws-sdk/client-ecs` → IAM prefix `ecs`. */
const iamPrefixByClient: Record<string, string> = {
  ecs: "ecs",
  "auto-scaling": "autoscaling",
  dynamodb: "dynamodb",
  cloudwatch: "cloudwatch",
  sfn: "states",
  lambda: "lambda",
  sqs: "sqs",
  eventbridge: "events",
};

/**
 * The IAM actions a bundle's code can send: every `XCommand` or `paginateX`
 * imported by name from an `@aws-sdk/client-*` package. esbuild drops unused
 * imports, so an import in the bundle is a command the code really uses.
 */
export function actionsSentBy(bundleCode: string): Set<string> {
  const actions = new Set<string>();
  const imports = bundleCode.matchAll(
    /import\s*\{([^}]*)\}\s*from\s*["']@aws-sdk\/client-([a-z0-9-]+)["']/g,
  );
  for (const [, names = "", client = ""] of imports) {
    const prefix = iamPrefixByClient[client] ?? client;
    for (const binding of names.split(",")) {
      const imported = binding.trim().split(/\s+as\s+/)[0] ?? "";
      const command = /^([A-Z]\w*)Command$/.exec(imported)?.[1];
      const paginated = /^paginate([A-Z]\w*)$/.exec(imported)?.[1];
      const action = command ?? paginated;
      if (action !== undefined) actions.add(`${prefix}:${action}`);
    }
  }
  return actions;
}
