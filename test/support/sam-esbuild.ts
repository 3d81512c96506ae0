import type { BuildOptions } from "esbuild";
import { type FunctionSource, stringList } from "../../local/template/functions";

/**
 * The esbuild options `sam build` derives from a function's `Metadata.BuildProperties`
 * (SAM's esbuild builder passes each property on as the esbuild flag of that name), in
 * one place for the contract checks and the cold-start bench. Callers add where the
 * output goes.
 */
export function samEsbuildOptions(source: FunctionSource): BuildOptions {
  const props = source.buildProperties;
  if (source.entryPoint === undefined) {
    throw new Error(`${source.logicalId}: Metadata.BuildProperties.EntryPoints is missing`);
  }
  const banner = stringList(props.Banner)
    .find((line) => line.startsWith("js="))
    ?.slice(3);
  const outExtension = stringList(props.OutExtension)
    .map((pair) => pair.split("="))
    .filter((pair): pair is [string, string] => pair.length === 2);
  return {
    entryPoints: [source.entryPoint],
    bundle: true,
    platform: "node",
    format: props.Format === "esm" ? "esm" : "cjs",
    target: typeof props.Target === "string" ? props.Target : "node20",
    // SAM's defaults: minified, no source map, esbuild's own main fields.
    minify: props.Minify !== false,
    sourcemap: props.Sourcemap === true,
    // SAM passes "false" through as a string as readily as a boolean.
    sourcesContent:
      props.SourcesContent === undefined ? undefined : String(props.SourcesContent) !== "false",
    mainFields:
      typeof props.MainFields === "string"
        ? props.MainFields.split(",").map((field) => field.trim())
        : undefined,
    outExtension: Object.fromEntries(outExtension),
    banner: banner === undefined ? undefined : { js: banner },
    external: stringList(props.External),
    logLevel: "silent",
  };
}
