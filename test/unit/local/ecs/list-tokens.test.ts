import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EcsControlPlane } from "../../../../local/ecs/control-plane";
import { SimulatedTaskRunner } from "../../../../local/ecs/runners/simulated-runner";
import { InProcessEventBus } from "../../../../local/eventbridge/bus";

/** A List* answer: its ARNs (whatever the operation calls them) and its nextToken. */
interface ListPage {
  arns: string[];
  nextToken?: string;
}

let ecs: EcsControlPlane;

async function list(operation: string, input: Record<string, unknown>): Promise<ListPage> {
  const answer = (await ecs.handle(operation, input)) as Record<string, unknown>;
  const arns = Object.entries(answer).find(([key]) => key.endsWith("Arns"))?.[1];
  const nextToken = answer.nextToken;
  return {
    arns: Array.isArray(arns) ? arns.map(String) : [],
    ...(typeof nextToken === "string" ? { nextToken } : {}),
  };
}

/** Every page, following nextToken as the SDK paginators do; `between` runs between pages. */
async function walk(
  operation: string,
  input: Record<string, unknown>,
  between: (page: string[]) => Promise<void> = async () => {},
): Promise<string[]> {
  const all: string[] = [];
  let nextToken: string | undefined;
  for (let pages = 0; pages < 100; pages++) {
    const page = await list(operation, { ...input, maxResults: 2, nextToken });
    all.push(...page.arns);
    nextToken = page.nextToken;
    if (nextToken === undefined) return all;
    await between(page.arns);
  }
  throw new Error(`${operation} never ended`);
}

/** ECS's answer to a nextToken it did not issue for the listing. */
const invalidToken = (token: string) =>
  expect.objectContaining({ name: "InvalidParameterException", message: `Invalid token ${token}` });

beforeAll(async () => {
  ecs = new EcsControlPlane({
    region: "us-east-1",
    accountId: "000000000000",
    runner: new SimulatedTaskRunner(),
    bus: new InProcessEventBus(),
    stopTimeoutMs: 1_000,
  });
  for (const cluster of ["paged", "other"]) {
    ecs.ensureCluster(cluster);
    for (let i = 0; i < 5; i++) ecs.registerHost({ cluster, instanceType: "m5.large" });
  }
  await ecs.handle("RegisterTaskDefinition", {
    family: "paged-app",
    containerDefinitions: [{ name: "app", image: "microscale-graceful", memory: 64 }],
  });
  for (const cluster of ["paged", "other"]) {
    for (let i = 0; i < 5; i++) {
      await ecs.handle("CreateService", {
        cluster,
        serviceName: `svc-${i}`,
        taskDefinition: "paged-app",
        desiredCount: cluster === "paged" && i === 0 ? 5 : 0,
      });
    }
  }
  // One scheduler pass places svc-0's tasks: ListTasks has something to page.
  ecs.reconcile();
});

afterAll(async () => {
  await ecs.stop();
});

describe("ECS List* nextToken, as ECS treats it", () => {
  it("pages every item exactly once, in ARN order", async () => {
    for (const [operation, input] of [
      ["ListContainerInstances", { cluster: "paged" }],
      ["ListServices", { cluster: "paged" }],
      ["ListTasks", { cluster: "paged" }],
    ] as const) {
      const everything = (await list(operation, { ...input, maxResults: 100 })).arns;
      expect(everything, operation).toHaveLength(5);
      expect(await walk(operation, input), operation).toEqual([...everything].sort());
    }
  });

  it("skips nothing when the items already listed, the token's own among them, are deleted", async () => {
    const before = (await list("ListContainerInstances", { cluster: "other" })).arns;
    const listed = await walk("ListContainerInstances", { cluster: "other" }, async (page) => {
      for (const containerInstance of page) {
        await ecs.handle("DeregisterContainerInstance", { cluster: "other", containerInstance });
      }
    });
    expect(listed).toEqual([...before].sort());
  });

  it("refuses a made-up, altered or borrowed token with InvalidParameterException, changing nothing", async () => {
    const input = { cluster: "paged" };
    const services = (await list("ListServices", input)).arns;
    const ofServices = (await list("ListServices", { ...input, maxResults: 1 })).nextToken ?? "";
    const ofTasks = (await list("ListTasks", { ...input, maxResults: 1 })).nextToken ?? "";
    const ofInstances =
      (await list("ListContainerInstances", { ...input, maxResults: 1 })).nextToken ?? "";
    const [, mac = ""] = ofServices.split(".");
    const madeUp = [
      "bogus",
      // The cursor the local ECS once issued unsigned, naming a real service.
      Buffer.from(JSON.stringify({ after: services[0] })).toString("base64url"),
      `${Buffer.from(services[1] ?? "").toString("base64url")}.${mac}`,
    ];
    const refusals: [string, Record<string, unknown>, string][] = [
      ...madeUp.map((token): [string, Record<string, unknown>, string] => [
        "ListServices",
        input,
        token,
      ]),
      // Another operation's tokens.
      ["ListServices", input, ofTasks],
      ["ListContainerInstances", input, ofTasks],
      ["ListServices", input, ofInstances],
      // The same operation over another cluster, or with another filter.
      ["ListServices", { cluster: "other" }, ofServices],
      ["ListServices", { ...input, launchType: "EC2" }, ofServices],
      ["ListTasks", { cluster: "other" }, ofTasks],
      ["ListTasks", { ...input, desiredStatus: "STOPPED" }, ofTasks],
    ];
    for (const [operation, given, nextToken] of refusals) {
      await expect(
        ecs.handle(operation, { ...given, maxResults: 1, nextToken }),
        `${operation} ${JSON.stringify(given)} ${nextToken}`,
      ).rejects.toThrow(invalidToken(nextToken));
    }
    expect((await list("ListServices", input)).arns).toEqual(services);
    expect(await list("ListServices", { ...input, maxResults: 1, nextToken: ofServices })).toEqual({
      arns: [services[1]],
      nextToken: expect.any(String),
    });
  });
});
