import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mapStackToSources, sourceMappedStack } from "../../../functions/lib/source-mapped-stack";

/**
 * A bundle built as the template builds functions (minified ESM, a map beside it without
 * the sources' text), from a source whose throw is on a known line.
 */
const scratch = mkdtempSync(join(tmpdir(), "microscale-stack-"));
const sourceFile = join(scratch, "functions/example/fail.ts");
let bundle = "";

beforeAll(async () => {
  mkdirSync(join(scratch, "functions/example"), { recursive: true });
  writeFileSync(
    sourceFile,
    [
      "export function fail(): never {",
      "  const reason: string = 'on purpose';",
      "  throw new Error(reason);",
      "}",
      "",
    ].join("\n"),
  );
  const outdir = join(scratch, "build/Fn");
  await build({
    entryPoints: [sourceFile],
    bundle: true,
    platform: "node",
    format: "esm",
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    outdir,
    outExtension: { ".js": ".mjs" },
    logLevel: "silent",
  });
  bundle = join(outdir, "fail.mjs");
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * The stack as Lambda's Node writes it: in a fresh process without source maps (the test
 * runner maps stacks itself, which would hide what this module has to do).
 */
function stackFromBundle(): string {
  const script = `const { fail } = await import(process.argv[1]);
try { fail(); } catch (error) { process.stdout.write(error.stack); }`;
  return execFileSync(
    process.execPath,
    ["--input-type=module", "--eval", script, pathToFileURL(bundle).href],
    {
      env: { PATH: process.env.PATH },
      encoding: "utf8",
    },
  );
}

describe("sourceMappedStack", () => {
  it("points a bundle's frame at the TypeScript line that threw, named from the project", async () => {
    const stack = stackFromBundle();
    expect(stack).toContain("fail.mjs:1:");
    const mapped = sourceMappedStack(stack);
    expect(mapped).toMatch(/^Error: on purpose\n/);
    expect(mapped).toMatch(/\(functions\/example\/fail\.ts:3:\d+\)$/m);
    expect(mapped).not.toContain("fail.mjs");
  });

  it("leaves frames without a map beside them as they are", () => {
    const stack = [
      "Error: boom",
      "    at run (file:///var/task/functions/x.ts:12:7)",
      `    at other (${join(scratch, "no-map.mjs")}:1:99)`,
      "    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)",
    ].join("\n");
    expect(sourceMappedStack(stack)).toBe(stack);
  });

  it("rewrites the error in place, so the log line and the rethrown error agree", () => {
    const error = new Error("on purpose");
    error.stack = stackFromBundle();
    expect(mapStackToSources(error)).toBe(error);
    expect(error.stack).toMatch(/functions\/example\/fail\.ts:3:/);
  });

  it("maps `at async` frames and the stacks down the cause chain", () => {
    const folder = join(scratch, "one-segment");
    mkdirSync(folder, { recursive: true });
    const bundleFile = join(folder, "index.mjs");
    writeFileSync(
      `${bundleFile}.map`,
      JSON.stringify({ version: 3, sources: ["../../src/core.ts"], names: [], mappings: "AAAA" }),
    );
    const cause = new Error("from the SDK");
    cause.stack = `Error: from the SDK\n    at async ${pathToFileURL(bundleFile).href}:1:1`;
    const error = new Error("ours", { cause });
    error.stack = `Error: ours\n    at n (${bundleFile}:1:1)`;
    mapStackToSources(error);
    expect(error.stack).toBe("Error: ours\n    at n (src/core.ts:1:1)");
    expect(cause.stack).toBe("Error: from the SDK\n    at async src/core.ts:1:1");
  });
});
