import { mkdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, extname, join } from "node:path";
import { build } from "esbuild";
import { type FunctionSource, stringList } from "../../../local/template/functions";
import { projectRoot } from "../../../local/template/read";

/**
 * The two builds of a function the cold-start bench compares, both from the function's
 * own `Metadata.BuildProperties` as `sam build` would run esbuild with them, except for
 * `External`:
 * - `layered`: the runtime layer's packages external (loaded from the layer at run time);
 * - `whole`: nothing external: SDK, Powertools and every other dependency inside the bundle.
 */
export type BuildKind = "layered" | "whole";

/** What the runtime layer ships; a `layered` build leaves these to it. */
export const layerExternals = ["@aws-sdk/*", "@aws-lambda-powertools/*", "zod", "autocannon"];

export interface BuiltFunction {
  logicalId: string;
  kind: BuildKind;
  /** The handler module, as the runtime imports it. */
  modulePath: string;
  bytes: number;
  mapBytes: number;
}

/**
 * Layered bundles are written under the project's node_modules/.cache, so their bare
 * imports resolve from node_modules as Lambda resolves them from /opt/nodejs/node_modules.
 * Whole bundles go to the OS temp folder, where no node_modules is above them: an import
 * that escaped the bundle fails instead of quietly loading from the project.
 */
function outputFolder(logicalId: string, kind: BuildKind): string {
  const base =
    kind === "layered"
      ? join(projectRoot, "node_modules/.cache/microscale-cold-start")
      : join(tmpdir(), "microscale-cold-start");
  return join(base, logicalId, kind);
}

/** esbuild with the template's BuildProperties, mapped the way SAM's esbuild builder maps them. */
export async function buildFunction(
  source: FunctionSource,
  kind: BuildKind,
): Promise<BuiltFunction> {
  const props = source.buildProperties;
  if (source.entryPoint === undefined) {
    throw new Error(`${source.logicalId}: Metadata.BuildProperties.EntryPoints is missing`);
  }
  const outdir = outputFolder(source.logicalId, kind);
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const banner = stringList(props.Banner)
    .find((line) => line.startsWith("js="))
    ?.slice(3);
  const outExtension = stringList(props.OutExtension)
    .map((pair) => pair.split("="))
    .filter((pair): pair is [string, string] => pair.length === 2);
  await build({
    entryPoints: [source.entryPoint],
    bundle: true,
    write: true,
    outdir,
    platform: "node",
    format: props.Format === "esm" ? "esm" : "cjs",
    target: typeof props.Target === "string" ? props.Target : "node20",
    minify: props.Minify === true,
    sourcemap: props.Sourcemap === true,
    // SAM passes these through as strings or booleans; esbuild's defaults otherwise.
    sourcesContent:
      props.SourcesContent === undefined ? undefined : String(props.SourcesContent) !== "false",
    mainFields:
      typeof props.MainFields === "string"
        ? props.MainFields.split(",").map((field) => field.trim())
        : undefined,
    outExtension: Object.fromEntries(outExtension),
    banner: banner === undefined ? undefined : { js: banner },
    external: kind === "layered" ? layerExternals : [],
    logLevel: "silent",
  });
  const extension = Object.fromEntries(outExtension)[".js"] ?? ".js";
  const modulePath = join(
    outdir,
    basename(source.entryPoint, extname(source.entryPoint)) + extension,
  );
  const size = (path: string) => {
    try {
      return statSync(path).size;
    } catch {
      return 0;
    }
  };
  return {
    logicalId: source.logicalId,
    kind,
    modulePath,
    bytes: size(modulePath),
    mapBytes: size(`${modulePath}.map`),
  };
}
