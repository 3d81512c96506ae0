/**
 * `npm run bench cold-start`: each function's cold import as Lambda loads it, in both
 * builds side by side: **layered** (the runtime layer's packages external, resolved
 * from node_modules as Lambda resolves them from /opt/nodejs/node_modules) and
 * **whole** (one minified ESM bundle, exactly as the template builds it: everything
 * inside but what the SDK imports on demand and Lambda never reaches), and the whole
 * build with those inside too. All come from the function's `Metadata.BuildProperties` in
 * template.yaml, as `sam build` runs esbuild with them; only `External` differs.
 *
 * Each sample is a fresh `node` process with the function's environment from the
 * template (NODE_OPTIONS included) that times `await import(handler module)` and reports
 * its whole-process CPU. Another sample imports the whole bundle with
 * `NODE_OPTIONS=--enable-source-maps` (what the template no longer sets, and why), and one
 * an empty module (Node's own
 * start-up, subtracted to give the import's CPU). Every kind of sample is interleaved
 * round by round, so load on the machine falls on all of them alike; figures are
 * medians, and on a busy machine the ratios are what to read.
 *
 * Then the benchmark runner's first invocation after its cold import, and its second
 * (./cold-start/first-invocation.ts): a smaller import that only moved work into the
 * first call would show there.
 */
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type FunctionSource, functionSources } from "../../local/template/functions";
import { readTemplate } from "../../local/template/read";
import { onDemandImportsLeftOut } from "../support/sam-esbuild";
import { type BuildKind, type BuiltFunction, buildFunction } from "./cold-start/build";
import {
  type FirstInvocationSample,
  firstInvocation,
  RUN_SECONDS,
} from "./cold-start/first-invocation";
import { type ColdSample, coldImport, lambdaEnvironment, median } from "./cold-start/measure";

const ROUNDS = 9;
const GOAL_MS = 100;

type Variant = BuildKind | "whole, --enable-source-maps";
const variants: Variant[] = [
  "layered",
  "whole",
  "whole, --enable-source-maps",
  "whole, nothing left out",
];
const kinds: BuildKind[] = ["layered", "whole", "whole, nothing left out"];
const buildOf = (variant: Variant): BuildKind =>
  variant === "whole, --enable-source-maps" ? "whole" : variant;

const ms = (value: number) => `${value.toFixed(0)} ms`;
const kb = (bytes: number) => `${Math.round(bytes / 1024)} KB`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

const leftOutOnDemand: ReadonlySet<string> = new Set(onDemandImportsLeftOut);

/**
 * The build template.yaml ships: layered when the function leaves anything but the
 * SDK's on-demand imports to be found at run time.
 */
export function shippedBuild(source: FunctionSource): BuildKind {
  const external = source.buildProperties.External;
  const leftOut = Array.isArray(external) ? external.map(String) : [];
  return leftOut.every((name) => leftOutOnDemand.has(name)) ? "whole" : "layered";
}

function environmentFor(source: FunctionSource, variant: Variant): NodeJS.ProcessEnv {
  const env = lambdaEnvironment(source);
  if (variant === "whole, --enable-source-maps") {
    env.NODE_OPTIONS = [env.NODE_OPTIONS, "--enable-source-maps"].filter(Boolean).join(" ");
  }
  return env;
}

export async function run(): Promise<void> {
  const sources = functionSources(readTemplate());
  const builds = new Map<string, Record<BuildKind, BuiltFunction>>();
  for (const source of sources) {
    const built: Partial<Record<BuildKind, BuiltFunction>> = {};
    for (const kind of kinds) built[kind] = await buildFunction(source, kind);
    builds.set(source.logicalId, built as Record<BuildKind, BuiltFunction>);
  }
  const empty = join(tmpdir(), "microscale-cold-start-empty.mjs");
  writeFileSync(empty, "export {};\n");

  const samples = new Map<string, ColdSample[]>();
  const record = (key: string, sample: ColdSample) =>
    samples.set(key, [...(samples.get(key) ?? []), sample]);
  for (let round = 0; round < ROUNDS; round++) {
    record("start-up", await coldImport(empty, lambdaEnvironment(sources[0] as FunctionSource)));
    for (const source of sources) {
      const order = round % 2 === 0 ? variants : [...variants].reverse();
      for (const variant of order) {
        const built = builds.get(source.logicalId)?.[buildOf(variant)];
        if (built === undefined) throw new Error(`no ${variant} build of ${source.logicalId}`);
        record(
          `${source.logicalId}/${variant}`,
          await coldImport(built.modulePath, environmentFor(source, variant)),
        );
      }
    }
  }
  const figure = (key: string, pick: (sample: ColdSample) => number) =>
    median((samples.get(key) ?? []).map(pick));
  const startUpCpu = figure("start-up", (s) => s.processCpuMs);

  const rows = sources.map((source) => {
    const id = source.logicalId;
    const importMs = (v: Variant) => figure(`${id}/${v}`, (s) => s.importMs);
    const importCpu = (v: Variant) => figure(`${id}/${v}`, (s) => s.processCpuMs) - startUpCpu;
    const built = builds.get(id);
    const size = (kind: BuildKind) => (built === undefined ? "" : kb(built[kind].bytes));
    const shipped = shippedBuild(source);
    const shippedMs = importMs(shipped);
    return [
      id,
      ms(importMs("layered")),
      ms(importMs("whole")),
      ratio(importMs("whole"), importMs("layered")),
      ms(importCpu("layered")),
      ms(importCpu("whole")),
      ratio(importCpu("whole"), importCpu("layered")),
      ms(importCpu("whole, --enable-source-maps")),
      ms(importCpu("whole, nothing left out")),
      `${size("layered")} / ${size("whole")} / ${size("whole, nothing left out")}`,
      `${shipped} ${shippedMs <= GOAL_MS ? "✓" : "✗"} ${ms(shippedMs)} (${ratio(shippedMs, GOAL_MS)} the goal)`,
    ];
  });
  console.log(
    [
      `Cold import of each handler module in a fresh process, median of ${ROUNDS} interleaved rounds.`,
      `import = wall time of await import(); CPU = the process's user + system CPU minus Node's own start-up (${ms(startUpCpu)}, an empty module).`,
      `NODE_OPTIONS from the template: ${lambdaEnvironment(sources[0] as FunctionSource).NODE_OPTIONS ?? "(none)"}. Goal: import ≤ ${GOAL_MS} ms for the build template.yaml ships.`,
      "",
      "Whole = as template.yaml builds it (the SDK's on-demand imports left out); nothing left out = the same with nothing external.",
      "",
      "| function | import layered | import whole | whole ÷ layered | CPU layered | CPU whole | whole ÷ layered | CPU whole, --enable-source-maps | CPU whole, nothing left out | bundle layered / whole / nothing left out | template ships |",
      "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
      ...rows.map((cells) => `| ${cells.join(" | ")} |`),
    ].join("\n"),
  );
  await runnerFirstInvocation(sources, builds);
}

/** The runner's shipped build, imported and invoked twice in each of ROUNDS fresh processes. */
async function runnerFirstInvocation(
  sources: readonly FunctionSource[],
  builds: Map<string, Record<BuildKind, BuiltFunction>>,
): Promise<void> {
  const source = sources.find((candidate) => candidate.logicalId === "BenchmarkRunnerFunction");
  if (source === undefined) return;
  const built = builds.get(source.logicalId)?.[shippedBuild(source)];
  if (built === undefined) return;
  const samples: FirstInvocationSample[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    samples.push(await firstInvocation(built.modulePath, lambdaEnvironment(source)));
  }
  const pick = (key: keyof FirstInvocationSample) => ms(median(samples.map((s) => s[key])));
  console.log(
    [
      "",
      `BenchmarkRunnerFunction (${shippedBuild(source)} build), median of ${ROUNDS} fresh processes: each imports it, then invokes it twice`,
      `against a loopback server for a ${RUN_SECONDS} s run; overhead = the call's wall time minus the run it measured.`,
      "",
      "| import | first invocation's overhead | second invocation's overhead |",
      "| ---: | ---: | ---: |",
      `| ${pick("importMs")} | ${pick("firstOverheadMs")} | ${pick("secondOverheadMs")} |`,
    ].join("\n"),
  );
}
