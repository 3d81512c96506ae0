import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  projectRoot as defaultProjectRoot,
  isObject,
  type Json,
  type JsonObject,
  resourcesOfType,
  type Template,
  withGlobals,
} from "./read";

/**
 * A function's source as `sam build` sees it — `CodeUri`, `Handler` and the esbuild
 * `Metadata.BuildProperties` — read one way for the local runtime and the contract
 * tests alike.
 */
export interface FunctionSource {
  logicalId: string;
  /** Properties with the template's Globals merged in; intrinsics unresolved. */
  properties: JsonObject;
  buildProperties: JsonObject;
  codeUri: string;
  /** Absolute path of the first esbuild entry point, or undefined when none is given. */
  entryPoint: string | undefined;
  /** Module name and export name from `Handler` (`index.handler` → index, handler). */
  handlerModule: string;
  handlerExport: string;
}

export function stringList(value: Json | undefined): string[] {
  return Array.isArray(value)
    ? value.filter((item): item is string => typeof item === "string")
    : [];
}

export function functionSource(
  template: Template,
  logicalId: string,
  projectRoot: string = defaultProjectRoot,
): FunctionSource {
  const resource = template.Resources[logicalId];
  if (resource?.Type !== "AWS::Serverless::Function") {
    throw new Error(`${logicalId} is not an AWS::Serverless::Function in the template`);
  }
  const properties = withGlobals(template, resource);
  const buildProperties = isObject(resource.Metadata?.BuildProperties ?? null)
    ? (resource.Metadata?.BuildProperties as JsonObject)
    : {};
  const codeUri = typeof properties.CodeUri === "string" ? properties.CodeUri : ".";
  const [entry] = stringList(buildProperties.EntryPoints);
  const handler = typeof properties.Handler === "string" ? properties.Handler : "";
  const dot = handler.lastIndexOf(".");
  return {
    logicalId,
    properties,
    buildProperties,
    codeUri,
    entryPoint: entry === undefined ? undefined : join(projectRoot, codeUri, entry),
    handlerModule: dot < 0 ? handler : handler.slice(0, dot),
    handlerExport: dot < 0 ? "" : handler.slice(dot + 1),
  };
}

export function functionSources(template: Template, projectRoot?: string): FunctionSource[] {
  return resourcesOfType(template, "AWS::Serverless::Function").map(([logicalId]) =>
    functionSource(template, logicalId, projectRoot),
  );
}

/** `CodeUri` + `Handler` (`index.handler`) → the source module and its export. */
export function resolveHandlerModule(
  projectRoot: string,
  codeUri: string,
  handler: string,
  entryPoints: readonly string[] = [],
): { modulePath: string; exportName: string } {
  const dot = handler.lastIndexOf(".");
  if (dot <= 0) throw new Error(`Handler "${handler}" is not <module>.<export>`);
  const moduleName = handler.slice(0, dot);
  const exportName = handler.slice(dot + 1);
  const base = resolve(projectRoot, codeUri);
  // esbuild-built functions name their TypeScript entry point in BuildProperties; without
  // one, SAM bundles the handler's own module.
  const candidates = [
    ...entryPoints.map((entry) => resolve(base, entry)),
    ...[".ts", ".mts", ".js", ".mjs", "/index.ts"].map((ext) => resolve(base, moduleName + ext)),
  ];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (found === undefined) {
    throw new Error(
      `no source for handler ${handler} under ${base} (tried ${candidates.join(", ")})`,
    );
  }
  return { modulePath: found, exportName };
}
