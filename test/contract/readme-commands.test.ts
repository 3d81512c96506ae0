import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { joinHosts } from "../../local/scenario/hosts";
import type { LocalSystem } from "../../local/scenario/system";
import { projectRoot } from "../../local/template/read";
import { AwsCli, awsCliMissing } from "../integration/aws-cli/aws-cli";
import { bootTestSystem } from "../integration/system/helpers";

/**
 * The README's command blocks, read and run: every npm script they name exists and
 * answers --help, every file they name exists, `npm run invoke` runs as written, and
 * the aws CLI lines run against the local cloud. Docs and behaviour cannot drift apart.
 */
const readme = readFileSync(resolve(projectRoot, "README.md"), "utf8");
const commands = [...readme.matchAll(/```bash\n([\s\S]*?)```/g)]
  .flatMap((block) => (block[1] ?? "").split("\n"))
  .map((line) =>
    line
      .replace(/\s+#.*$/, "")
      .replace(/^npm ci && /, "")
      .trim(),
  )
  .filter((line) => line !== "");
const scripts = (
  JSON.parse(readFileSync(resolve(projectRoot, "package.json"), "utf8")) as {
    scripts: Record<string, string>;
  }
).scripts;
/** `npm start`, `npm run local -- …`: the local commands (never `sam`, `docker`, real AWS). */
const npmCommands = commands.filter((line) => /^npm (start|run \w+)/.test(line));
const awsCommands = commands.filter((line) =>
  line.startsWith("aws --endpoint-url http://127.0.0.1:"),
);
const scriptOf = (line: string) =>
  /^npm (?:run )?(\w+)/.exec(line.replace(/^npm ci && /, ""))?.[1] ?? "";

function npm(args: string[]) {
  return spawnSync("npm", ["run", "--silent", ...args], {
    cwd: projectRoot,
    encoding: "utf8",
    timeout: 120_000,
    env: { ...process.env, MICROSCALE_PORT: "4599" },
  });
}

describe("the README's local commands", () => {
  it("name npm scripts that exist and files that exist", () => {
    expect(npmCommands.length).toBeGreaterThanOrEqual(4);
    for (const line of npmCommands) {
      expect(scripts, line).toHaveProperty(scriptOf(line).replace(/^start$/, "start"));
      for (const path of line.match(/\bevents\/[\w/.-]+\.json\b/g) ?? []) {
        expect(existsSync(resolve(projectRoot, path)), `${line}: ${path}`).toBe(true);
      }
    }
  });

  it.each(["start", "local", "invoke", "benchmark"])(
    "npm run %s -- --help prints its usage",
    (script) => {
      expect(npmCommands.some((line) => scriptOf(line) === script)).toBe(true);
      const run = npm([script, "--", "--help"]);
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/^usage: npm /);
      const bad = npm([script, "--", "--no-such-flag"]);
      expect(bad.status).toBe(2);
      expect(bad.stderr.trim().split("\n")).toHaveLength(1);
    },
    60_000,
  );

  it("runs the invoke example as written, with no local cloud up", () => {
    // The benchmark runner's sample targets `npm run local`'s load balancer (port 4567), which
    // a one-call boot on a free port does not have; every other invoke line runs as written.
    const examples = npmCommands.filter(
      (line) => line.startsWith("npm run invoke -- ") && !line.includes("BenchmarkRunnerFunction"),
    );
    expect(examples.length).toBeGreaterThan(0);
    for (const line of examples) {
      const run = npm(line.replace(/^npm run /, "").split(/\s+/));
      expect(run.status, `${line}\n${run.stderr}`).toBe(0);
      expect(run.stdout).toMatch(/^\{$/m);
    }
  }, 120_000);
});

const missing = awsCliMissing();
describe.skipIf(missing !== undefined)("the README's aws CLI lines against the local cloud", () => {
  let system: LocalSystem;
  let aws: AwsCli;

  beforeAll(async () => {
    ({ system } = await bootTestSystem());
    joinHosts(system, 1);
    aws = new AwsCli(system.cloud.endpoint, system.cloud.region);
  });

  afterAll(async () => {
    aws?.close();
    await system?.stop();
  });

  it("set AWS_DEFAULT_REGION and run as written", async () => {
    expect(commands).toContainEqual(expect.stringMatching(/^export AWS_DEFAULT_REGION=/));
    expect(awsCommands.length).toBeGreaterThan(0);
    for (const line of awsCommands) {
      const args = [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? "").slice(3);
      const result = await aws.run(...args);
      expect(result.rc, `${line}\n${result.stderr}`).toBe(0);
    }
  }, 60_000);
});
if (missing !== undefined) console.warn(`README aws CLI lines skipped: ${missing}`);
