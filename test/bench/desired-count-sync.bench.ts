/**
 * `npm run bench desired-count-sync`: API calls per invocation of DesiredCountSyncFunction
 * for 10/100/1000 instances × 1/10/50 services, against the minimum the issue sets, and
 * the handler's CPU time per invocation.
 *
 * Minimum per invocation (S per-host services, T services in the cluster, N_f ACTIVE
 * instances matching each distinct memberOf filter f):
 *   ⌈S/10⌉ DescribeServices + Σ_f max(1, ⌈N_f/100⌉) ListContainerInstances
 *   + Σ_s max(1, ⌈k_s/100⌉) ListContainerInstances of the k_s hosts service s does not
 *   run on (k_s = 0 here: ⌈k_s/100⌉ DescribeContainerInstances would follow otherwise)
 *   + one UpdateService per change + (tag discovery only) ⌈T/100⌉ ListServices,
 *   where discovery describes all T services (⌈T/10⌉) to read their tags.
 *
 * Calls are the handler's own `apiCalls` summary, cross-checked against the requests the
 * in-memory ECS model received. CPU is process.cpuUsage() (user + system) over many
 * invocations after a warm-up, in two set-ups: the ECS client stubbed by
 * aws-sdk-client-mock (our code only), and a real ECSClient whose HTTP layer is the
 * model (adds the SDK's middleware, JSON serde and SigV4 signing — what Lambda pays,
 * minus the network).
 */
import { ECSClient } from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { definition } from "../../functions/desired-count-sync/index";
import { totalCalls } from "../../functions/lib/api-calls";
import { lambdaHandler } from "../../functions/lib/handler";
import { type Log, type Observability, silentMetrics } from "../../functions/lib/observability";
import { lambdaContext, sampleEvent } from "../support/events";
import { FakeEcs, type Operation } from "../unit/desired-count-sync/fake-ecs";

const INSTANCES = [10, 100, 1000];
const SERVICES = [1, 10, 50];
const OTHER_SERVICES = 5; // web, backend, high/low priority… untagged, in the same cluster
const POOLS = 5;

type Scenario = "no-change" | "all-change" | "discovered" | "pools";

/** Logs nothing, but pays for serializing each line as Powertools would. */
const serializingLog: Log = (() => {
  const line = (message: string, ...extra: object[]) => {
    JSON.stringify({ level: "INFO", message, ...Object.assign({}, ...extra) });
  };
  return { info: line, warn: line, error: line, debug: line };
})();
const serializing: Observability = {
  log: serializingLog,
  metrics: silentMetrics,
  addContext() {},
  flush() {},
};
const context = lambdaContext();

const ceil = (a: number, b: number) => Math.ceil(a / b);

function build(instances: number, services: number, scenario: Scenario, transport: "mock" | "sdk") {
  const fake = new FakeEcs();
  fake.addInstances(instances, (i) => ({ attributes: { pool: `p${i % POOLS}` } }));
  fake.addInstances(Math.ceil(instances / 10), () => ({ status: "DRAINING" }));
  const names = Array.from({ length: services }, (_, i) => `per-host-${i}`);
  names.forEach((name, i) => {
    const pool = `p${i % POOLS}`;
    const matching = scenario === "pools" ? fake.eligible(`attribute:pool == ${pool}`) : instances;
    fake.addService({
      name,
      desiredCount: scenario === "all-change" ? matching + 1 : matching,
      tags: [{ key: "microscale:per-host", value: "true" }],
      placementConstraints: [
        { type: "distinctInstance" },
        ...(scenario === "pools"
          ? [{ type: "memberOf" as const, expression: `attribute:pool == ${pool}` }]
          : []),
      ],
    });
  });
  for (let i = 0; i < OTHER_SERVICES; i++) fake.addService({ name: `other-${i}`, desiredCount: 2 });

  let ecs: ECSClient;
  const base = {
    region: fake.region,
    credentials: { accessKeyId: "AKIDBENCH", secretAccessKey: "bench" },
  };
  if (transport === "mock") {
    ecs = new ECSClient(base);
    fake.attach(mockClient(ecs));
  } else {
    ecs = new ECSClient({
      ...base,
      endpoint: "http://127.0.0.1:1",
      requestHandler: fake.requestHandler(),
      maxAttempts: 1,
    });
  }
  const env = {
    CLUSTER: fake.cluster,
    ...(scenario === "discovered" ? {} : { PER_HOST_SERVICES: names.join(",") }),
  };
  const handler = lambdaHandler(definition, {
    deps: { ecs },
    env: () => env,
    observability: () => serializing,
  });
  const invoke = (event: unknown) => handler(event, context);

  // The minimum from the issue.
  const filters =
    scenario === "pools"
      ? [...new Set(names.map((_, i) => `attribute:pool == p${i % POOLS}`))].map((f) =>
          fake.eligible(f),
        )
      : [instances];
  // Every host runs every per-host task here: one (empty) listing per service of the
  // hosts it does not run on (issue 13: a host counts only where it runs or fits).
  const lacking = names.map(() => 0);
  const total = services + OTHER_SERVICES;
  const minimum =
    (scenario === "discovered" ? ceil(total, 100) + ceil(total, 10) : ceil(services, 10)) +
    filters.reduce((sum, n) => sum + Math.max(1, ceil(n, 100)), 0) +
    lacking.reduce((sum, n) => sum + Math.max(1, ceil(n, 100)), 0) +
    (scenario === "all-change" ? services : 0);

  return { fake, invoke, minimum };
}

async function measureCalls(instances: number, services: number, scenario: Scenario) {
  const { fake, invoke, minimum } = build(instances, services, scenario, "mock");
  const summary = await invoke(sampleEvent("desired-count-sync", "container-instance-active"));
  const seen = fake.log.length;
  const calls = totalCalls(summary.apiCalls);
  if (seen !== calls) throw new Error(`summary says ${calls} calls, the model saw ${seen}`);
  // The summary names IAM actions (`ecs:ListServices`); the model, API operations.
  for (const [action, count] of Object.entries(summary.apiCalls)) {
    const operation = action.replace(/^ecs:/, "") as Operation;
    if (fake.calls(operation) !== count) throw new Error(`${action} miscounted`);
  }
  return { calls, minimum };
}

async function cpuPerInvocation(
  instances: number,
  services: number,
  scenario: Scenario,
  transport: "mock" | "sdk",
): Promise<number> {
  const { fake, invoke } = build(instances, services, scenario, transport);
  const event = sampleEvent("desired-count-sync", "container-instance-active");
  await invoke(event);
  // No-change scenarios leave the cluster as it is: replay the model's answers so the
  // figure is the handler's (and SDK's) work, not the fake's.
  fake.freeze();
  for (let i = 0; i < 20; i++) await invoke(event);
  const budget = 400_000; // µs of CPU per figure, at least 30 invocations
  let iterations = 0;
  const start = process.cpuUsage();
  let used = 0;
  while (iterations < 30 || used < budget) {
    await invoke(event);
    iterations += 1;
    const now = process.cpuUsage(start);
    used = now.user + now.system;
  }
  fake.log.length = 0;
  return used / iterations;
}

const fmt = ({ calls, minimum }: { calls: number; minimum: number }) =>
  `${calls} / ${minimum}${calls <= minimum ? "" : " ✗"}`;
const us = (micros: number) =>
  micros >= 10_000 ? `${(micros / 1000).toFixed(1)} ms` : `${Math.round(micros)} µs`;

export async function run(): Promise<void> {
  // Warm the JIT on every code path before the first figure.
  for (const scenario of ["no-change", "discovered", "pools"] as const) {
    for (const transport of ["mock", "sdk"] as const)
      await cpuPerInvocation(100, 10, scenario, transport);
  }
  const rows: string[] = [];
  let worst = 0;
  for (const instances of INSTANCES) {
    for (const services of SERVICES) {
      const noChange = await measureCalls(instances, services, "no-change");
      const allChange = await measureCalls(instances, services, "all-change");
      const discovered = await measureCalls(instances, services, "discovered");
      const pools = await measureCalls(instances, services, "pools");
      for (const r of [noChange, allChange, discovered, pools])
        worst = Math.max(worst, r.calls - r.minimum);
      const cpuMock = await cpuPerInvocation(instances, services, "no-change", "mock");
      const cpuSdk = await cpuPerInvocation(instances, services, "no-change", "sdk");
      const cpuSdkChange = await cpuPerInvocation(instances, services, "discovered", "sdk");
      rows.push(
        `| ${instances} | ${services} | ${fmt(noChange)} | ${fmt(allChange)} | ${fmt(discovered)} | ${fmt(pools)} | ${us(cpuMock)} | ${us(cpuSdk)} | ${us(cpuSdkChange)} |`,
      );
    }
  }
  console.log(
    [
      "API calls per invocation, measured / minimum (✗ = above the minimum), and handler CPU per invocation.",
      `Cluster: N ACTIVE instances (+10% DRAINING, never counted), S per-host services, ${OTHER_SERVICES} other services.`,
      "",
      "| instances | per-host services | configured, no change | configured, all change | tag discovery, no change | memberOf, 5 pools | CPU no change (mocked client) | CPU no change (SDK stack) | CPU discovery (SDK stack) |",
      "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
      ...rows,
      "",
      worst === 0
        ? "Every scenario is at the minimum."
        : `Worst excess over the minimum: ${worst} calls.`,
    ].join("\n"),
  );
}
