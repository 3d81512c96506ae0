import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ScanCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { joinHosts } from "../../../local/scenario/hosts";
import { perHostConverged, prioritiesConverged } from "../../../local/scenario/observe";
import { Recorder } from "../../../local/scenario/recorder";
import type { LocalSystem } from "../../../local/scenario/system";
import { bootTestSystem, demandRandomizerOff, writeDemand } from "./helpers";

/** ECS operations that change something. */
const ecsWrites = /^(Create|Delete|Update|Register|Deregister|Run|Start|Stop|Put|Tag|Untag|Submit)/;

describe("a malformed event delivered to each function", () => {
  let system: LocalSystem;
  let recorder: Recorder;
  let target: Server;
  let targetUrl = "";
  let targetRequests = 0;
  const ecsOperations: string[] = [];
  const demandWrites: unknown[] = [];

  beforeAll(async () => {
    ({ system } = await bootTestSystem({ parameters: demandRandomizerOff }));
    recorder = new Recorder(system, 100);
    recorder.start();
    joinHosts(system, 2);
    await writeDemand(system, 3);
    // Settled: P1 and P2 at their split and the per-host service on both hosts, so no
    // controller is still writing (a grow deferred behind a shrink) while a case counts.
    const settled = await recorder.until(
      (s) => s.demand === 3 && prioritiesConverged(s) && perHostConverged(s),
      20_000,
    );
    expect(settled.ok, JSON.stringify(settled.snapshot)).toBe(true);
    target = createServer((_request, response) => {
      targetRequests++;
      response.end("ok");
    });
    await new Promise<void>((resolve) => target.listen(0, "127.0.0.1", resolve));
    targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}/`;
    // Every ECS operation, from every caller, from here on.
    const handle = system.cloud.ecs.handle.bind(system.cloud.ecs);
    vi.spyOn(system.cloud.ecs, "handle").mockImplementation((operation, input) => {
      ecsOperations.push(operation);
      return handle(operation, input);
    });
    system.cloud.dynamodb.subscribeStream(system.names.demandTable, (records) =>
      demandWrites.push(...records),
    );
  });
  afterAll(async () => {
    recorder.stop();
    vi.restoreAllMocks();
    target?.close();
    await system.stop();
  });

  const cases: [string, () => unknown][] = [
    [
      "DesiredCountSyncFunction",
      () => ({
        version: "0",
        source: "aws.ecs",
        "detail-type": "ECS Container Instance State Change",
        detail: { clusterArn: 42, status: "ACTIVE" },
      }),
    ],
    ["DemandRandomizerFunction", () => ({ source: "aws.s3", "detail-type": "Object Created" })],
    [
      "PriorityScalerFunction",
      () => ({
        Records: [
          {
            eventSource: "aws:dynamodb",
            eventName: "MODIFY",
            dynamodb: {
              SequenceNumber: "9",
              Keys: { pk: { S: "demand" } },
              NewImage: { pk: { S: "demand" }, value: { N: "-4" }, version: { N: "99" } },
            },
          },
        ],
      }),
    ],
    ["BenchmarkRunnerFunction", () => ({ url: targetUrl, durationSeconds: -1 })],
  ];

  it.each(cases)(
    "%s rejects it with a ValidationError and writes nothing",
    async (logicalId, event) => {
      // Prepare
      const before = await recorder.next();
      ecsOperations.length = 0;
      demandWrites.length = 0;

      // Act
      const invocation = system.wired.lambda.invoke(logicalId, event());

      // Assess
      await expect(invocation).rejects.toMatchObject({ name: "ValidationError" });
      const writes = ecsOperations.filter((operation) => ecsWrites.test(operation));
      expect(writes).toEqual([]);
      expect(demandWrites).toEqual([]);
      expect(targetRequests).toBe(0);
      const after = await recorder.next();
      for (const service of ["perHost", "web", "high", "low"] as const) {
        expect(after[service].desired).toBe(before[service].desired);
        expect(after[service].taskDefinition).toBe(before[service].taskDefinition);
      }
      const { Count } = await system.clients.dynamodb.send(
        new ScanCommand({ TableName: system.names.benchmarkResultsTable, Select: "COUNT" }),
      );
      expect(Count).toBe(0);
    },
  );
});
