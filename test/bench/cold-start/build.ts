import { existsSync, mkdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FunctionSource } from "../../../local/template/functions";
import { projectRoot } from "../../../local/template/read";
import { samEsbuildOptions, writeSamBundle } from "../../support/sam-esbuild";

/**
 * The builds of a function the cold-start bench compares, all from the function's own
 * `Metadata.BuildProperties` as `sam build` would run esbuild with them, differing only
 * in `External`:
 * - `layered`: the runtime layer's packages external (loaded from the layer at run time);
 * - `whole`: exactly as the template says: SDK, Powertools and every other dependency
 *   inside, only what the SDK imports on demand and Lambda never reaches left out;
 * - `whole, nothing left out`: nothing external at all, to show what leaving those out
 *   is worth.
 */
export type BuildKind = "layered" | "whole" | "whole, nothing left out";

/** What the runtime layer ships; a `layered` build leaves these to it. */
export const layerExternals = ["@aws-sdk/*", "@aws-lambda-powertools/*", "zod", "http-parser-js"];

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
  return join(base, logicalId, kind.replaceAll(/[^a-z]+/g, "-"));
}

function externalFor(kind: BuildKind, templateExternal: string[]): string[] {
  if (kind === "layered") return [...new Set([...layerExternals, ...templateExternal])];
  return kind === "whole" ? templateExternal : [];
}

/** esbuild with the template's BuildProperties, as `sam build` runs it, `External` aside. */
export async function buildFunction(
  source: FunctionSource,
  kind: BuildKind,
): Promise<BuiltFunction> {
  const outdir = outputFolder(source.logicalId, kind);
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const external = externalFor(kind, samEsbuildOptions(source).external ?? []);
  const absolute = await writeSamBundle(source, outdir, external);
  const size = (path: string) => (existsSync(path) ? statSync(path).size : 0);
  return {
    logicalId: source.logicalId,
    kind,
    modulePath: absolute,
    bytes: size(absolute),
    mapBytes: size(`${absolute}.map`),
  };
}
