import { existsSync, readdirSync } from "node:fs";
import { mkdir, rename, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/**
 * The "images" a local host can run: `containers/<name>/src/main.ts` programs,
 * bundled once per run into a file Node starts.
 */

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const defaultContainersDir = join(repoRoot, "containers");

/**
 * The `containers/<name>/` folder an image runs: the image's repository name (last path
 * segment, tag or digest stripped) equals `<name>` or ends with `-<name>`.
 */
export function containerFolderFor(image: string, folders: readonly string[]): string | undefined {
  const lastSegment = image.split("/").pop() ?? image;
  const repository = lastSegment.split("@")[0]?.split(":")[0] ?? lastSegment;
  return folders
    .filter((name) => repository === name || repository.endsWith(`-${name}`))
    .sort((a, b) => b.length - a.length)[0];
}

/** The bundled program of a `containers/<name>/` folder. */
export type Bundler = (name: string) => Promise<string>;

/** Bundles `containers/<name>/src/main.ts` once per run, with the project's esbuild options. */
export function makeBundler(containersDir: string, outDir: string): Bundler {
  const bundles = new Map<string, Promise<string>>();
  const useProjectBuild =
    resolve(containersDir) === defaultContainersDir && existsSync(join(containersDir, "build.ts"));
  return (name) => {
    let bundle = bundles.get(name);
    if (bundle === undefined) {
      bundle = useProjectBuild
        ? projectBundle(name, outDir)
        : esbuildBundle(containersDir, name, outDir);
      bundles.set(name, bundle);
    }
    return bundle;
  };
}

interface ContainersBuildModule {
  bundleContainer(name: string, outDir: string): Promise<unknown>;
}

async function projectBundle(name: string, outDir: string): Promise<string> {
  const module = (await import(
    pathToFileURL(join(defaultContainersDir, "build.ts")).href
  )) as ContainersBuildModule;
  // containers/build.ts writes `<outDir>/bundle.mjs`: one folder per container.
  const result = await module.bundleContainer(name, join(outDir, name));
  return typeof result === "string" ? result : join(outDir, name, "bundle.mjs");
}

async function esbuildBundle(containersDir: string, name: string, outDir: string): Promise<string> {
  const { build } = await import("esbuild");
  const result = await build({
    entryPoints: [join(containersDir, name, "src", "main.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    write: false,
    logLevel: "silent",
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
  });
  const outfile = join(outDir, `${name}.mjs`);
  await mkdir(outDir, { recursive: true });
  // Write then rename: parallel test files may bundle the same container at once.
  const temporary = `${outfile}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temporary, result.outputFiles[0]?.contents ?? "");
  await rename(temporary, outfile);
  return outfile;
}

/** The folders under `containersDir` that hold a `src/main.ts` program. */
export function containerFolders(containersDir: string): string[] {
  return existsSync(containersDir)
    ? readdirSync(containersDir, { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .filter((entry) => existsSync(join(containersDir, entry.name, "src", "main.ts")))
        .map((entry) => entry.name)
    : [];
}
