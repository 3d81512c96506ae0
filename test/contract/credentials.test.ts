import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { functionSource } from "../../local/template/functions";
import { readTemplate } from "../../local/template/read";
import { onDemandImportsLeftOut, writeSamBundle } from "../support/sam-esbuild";

const exec = promisify(execFile);

/**
 * The shipped bundles leave out what the SDK imports on demand on paths Lambda never
 * takes (docs/performance.md). That is safe only because Lambda's credentials arrive in
 * the environment, the default chain's first link, and because none of our operations
 * has an event stream: this runs the desired-count sync's bundle, built exactly as
 * template.yaml says and written where no node_modules is above it, in a fresh Node
 * against a recording endpoint, with and without those variables, through a refused
 * call and a whole successful pass.
 */
const scratch = mkdtempSync(join(tmpdir(), "microscale-credentials-"));
const emptyHome = join(scratch, "home");
let modulePath = "";
let server: Server;
let endpoint = "";
const seen: IncomingHttpHeaders[] = [];
/** How the endpoint answers: refuse every call, or answer each with an empty success. */
let answer: "refuse" | "succeed" = "refuse";

beforeAll(async () => {
  mkdirSync(emptyHome);
  const source = functionSource(readTemplate(), "DesiredCountSyncFunction");
  modulePath = await writeSamBundle(source, join(scratch, "bundle"));
  server = createServer((request, response) => {
    seen.push(request.headers);
    request.resume();
    if (answer === "succeed") {
      response.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
      response.end("{}");
      return;
    }
    response.writeHead(400, { "content-type": "application/x-amz-json-1.1" });
    response.end(JSON.stringify({ __type: "AccessDeniedException", message: "recorded" }));
  });
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((closed) => server.close(closed));
  rmSync(scratch, { recursive: true, force: true });
});

const scheduledEvent = readFileSync("events/desired-count-sync/scheduled-reconcile.json", "utf8");
const invokeOnce = `
const { handler } = await import(process.argv[1]);
const context = { functionName: "sync", awsRequestId: "r-1", getRemainingTimeInMillis: () => 30000 };
try {
  const summary = await handler(JSON.parse(process.argv[2]), context);
  process.stdout.write("\\nOUTCOME " + JSON.stringify({ name: "none", message: JSON.stringify(summary) }));
} catch (error) {
  process.stdout.write("\\nOUTCOME " + JSON.stringify({ name: error.name, message: error.message }));
}
`;

async function invoke(
  credentials: Record<string, string>,
): Promise<{ name: string; message: string }> {
  const { stdout } = await exec(
    process.execPath,
    ["--input-type=module", "--eval", invokeOnce, pathToFileURL(modulePath).href, scheduledEvent],
    {
      env: {
        PATH: process.env.PATH,
        // No ~/.aws to fall back on, as in a Lambda sandbox.
        HOME: emptyHome,
        AWS_REGION: "us-east-1",
        AWS_ENDPOINT_URL: endpoint,
        AWS_MAX_ATTEMPTS: "1",
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
        POWERTOOLS_LOG_LEVEL: "SILENT",
        CLUSTERS: "microscale",
        PER_HOST_SERVICES: "agent",
        ...credentials,
      },
    },
  );
  // The function's own EMF metrics go to stdout too; the outcome is the line marked.
  const outcome = stdout.split("\n").find((line) => line.startsWith("OUTCOME "));
  if (outcome === undefined) throw new Error(`no outcome in ${stdout}`);
  return JSON.parse(outcome.slice("OUTCOME ".length)) as { name: string; message: string };
}

describe("the shipped bundle's credentials", () => {
  it("come from the environment, as Lambda gives them, with the on-demand sources left out", async () => {
    const failure = await invoke({
      AWS_ACCESS_KEY_ID: "AKIDFROMTHEROLE",
      AWS_SECRET_ACCESS_KEY: "secret",
      AWS_SESSION_TOKEN: "token",
    });
    // The endpoint's AccessDeniedException, as the sync reports a failed cluster.
    expect(failure.message).toContain("recorded");
    expect(seen.at(-1)?.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDFROMTHEROLE\//);
    expect(seen.at(-1)?.["x-amz-security-token"]).toBe("token");
  });

  it("carry a whole successful pass, its answers read without the left-out packages", async () => {
    answer = "succeed";
    const before = seen.length;
    const outcome = await invoke({
      AWS_ACCESS_KEY_ID: "AKIDFROMTHEROLE",
      AWS_SECRET_ACCESS_KEY: "s",
    });
    answer = "refuse";
    expect(outcome.message).not.toMatch(/Cannot find package/);
    expect(outcome.name).toBe("none");
    expect(seen.length).toBeGreaterThan(before);
  });

  it("fail naming the left-out package when the environment has none, and send nothing", async () => {
    const before = seen.length;
    const failure = await invoke({});
    expect(onDemandImportsLeftOut.some((name) => failure.message.includes(name))).toBe(true);
    expect(failure.message).toMatch(/Cannot find package/);
    expect(seen.length).toBe(before);
  });
});
