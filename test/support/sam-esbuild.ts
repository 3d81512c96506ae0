import { resolve } from "node:path";
import { type BuildOptions, build } from "esbuild";
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

/**
 * Builds a function as `sam build` would (its BuildProperties, `External` replaced when
 * given) into `outdir`, and returns the absolute path of the handler module it wrote.
 */
export async function writeSamBundle(
  source: FunctionSource,
  outdir: string,
  external?: string[],
): Promise<string> {
  const options = samEsbuildOptions(source);
  const result = await build({
    ...options,
    ...(external === undefined ? {} : { external }),
    write: true,
    metafile: true,
    outdir,
  });
  const entry = Object.entries(result.metafile.outputs).find(
    ([, output]) => output.entryPoint !== undefined,
  )?.[0];
  if (entry === undefined) throw new Error(`${source.logicalId}: esbuild wrote no entry module`);
  return resolve(entry);
}

/**
 * The packages every SDK-using function's `External` leaves out, and nothing else: what
 * the SDK imports on demand (`import()`), only on paths these functions never take on
 * Lambda, so they are not bundled, parsed or evaluated at every cold start.
 *
 * - The credential sources `@aws-sdk/credential-provider-node`'s default chain imports
 *   only after the one before it found nothing. Lambda always hands the execution role's
 *   credentials over as `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and
 *   `AWS_SESSION_TOKEN`, the chain's first link, so the chain never gets further: not to
 *   the config files, SSO, a process, a web identity token, the console login, nor the
 *   container and instance metadata endpoints (ECS tasks and EC2 instances).
 * - `@smithy/core/event-streams`, which the protocols import only for an operation with
 *   an event stream; no ECS, DynamoDB, Auto Scaling or CloudWatch operation has one.
 *   Being a dynamic import's target, it also made esbuild wrap everything it depends on
 *   in lazy initialisers that all ran at import anyway.
 */
export const onDemandImportsLeftOut = [
  "@aws-sdk/credential-provider-ini",
  "@aws-sdk/credential-provider-process",
  "@aws-sdk/credential-provider-sso",
  "@aws-sdk/credential-provider-web-identity",
  "@aws-sdk/credential-provider-login",
  "@aws-sdk/credential-provider-http",
  "@smithy/credential-provider-imds",
  "@aws-sdk/token-providers",
  "@aws-sdk/nested-clients",
  "@smithy/core/event-streams",
] as const;
