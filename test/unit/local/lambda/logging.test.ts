import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it, vi } from "vitest";
import { LocalLambdaRuntime } from "../../../../local/lambda/runtime";

const here = dirname(fileURLToPath(import.meta.url));

afterEach(() => {
  vi.restoreAllMocks();
});

describe("a function's Powertools logs in the local runtime", () => {
  it("name the template's service and say cold_start: true on the first call only", async () => {
    // Prepare: the variable reaches the function only through its template environment.
    const lines: string[] = [];
    vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const local = new LocalLambdaRuntime({
      region: "eu-west-1",
      accountId: "000000000000",
      endpoint: "http://127.0.0.1:4566",
    });
    local.register({
      logicalId: "LoggedFunction",
      functionName: "stack-Logged",
      modulePath: join(here, "fixtures/logged.ts"),
      exportName: "handler",
      timeoutSeconds: 5,
      memorySizeMb: 128,
      environment: { POWERTOOLS_SERVICE_NAME: "logged-service", POWERTOOLS_LOG_LEVEL: "INFO" },
    });
    // Act
    await local.invoke("LoggedFunction", {});
    await local.invoke("LoggedFunction", {});
    // Assess
    const logged = lines
      .flatMap((line) => line.split("\n"))
      .filter((line) => line.includes('"logged ran"'))
      .map((line) => JSON.parse(line) as { service: string; cold_start: boolean });
    expect(logged.map((line) => [line.service, line.cold_start])).toEqual([
      ["logged-service", true],
      ["logged-service", false],
    ]);
  });
});
