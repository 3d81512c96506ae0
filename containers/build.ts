/**
 * The one way to build a workload: bundle `containers/<name>/src/main.ts` into a single
 * ESM file with esbuild. The local cloud calls `bundleContainer` and runs
 * `node <outDir>/bundle.mjs`; containers/Dockerfile runs this file as a script
 * (`node --experimental-strip-types build.ts <name> <outDir>` on Node 22) and copies the result.
 *
 * Only erasable TypeScript here, so Node 22 can run it without a compiler.
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

export const CONTAINERS = ["web", "backend", "worker", "agent"] as const;
export type ContainerName = (typeof CONTAINERS)[number];

const containersDir = dirname(fileURLToPath(import.meta.url));

/** Bundles one workload; returns the absolute path of `<outDir>/bundle.mjs`. */
export async function bundleContainer(name: string, outDir: string): Promise<string> {
  const entryPoint = join(containersDir, name, "src", "main.ts");
  if (!existsSync(entryPoint)) throw new Error(`no workload "${name}": ${entryPoint} is missing`);
  const outfile = resolve(outDir, "bundle.mjs");
  await build({
    entryPoints: [entryPoint],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    // Node 20 runs it locally; the image runs Node 22.
    target: "node20",
    sourcemap: "linked",
    legalComments: "none",
    logLevel: "warning",
  });
  return outfile;
}

// `node --experimental-strip-types build.ts <name> <outDir>` (containers/Dockerfile) or `npx tsx containers/build.ts <name> <outDir>`.
if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [name, outDir] = process.argv.slice(2);
  if (name === undefined || outDir === undefined) {
    console.error("usage: build.ts <container> <outDir>");
    process.exit(2);
  }
  console.log(await bundleContainer(name, outDir));
}
