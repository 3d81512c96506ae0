import { AutoScalingClient } from "@aws-sdk/client-auto-scaling";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ECSClient } from "@aws-sdk/client-ecs";
import { SFNClient } from "@aws-sdk/client-sfn";
import { type LocalCloud, type LocalCloudOptions, startLocalCloud } from "../cloud";
import { localClientConfig } from "../settings";
import { readTemplate, type Template } from "../template/read";
import { type WiredCloud, wireTemplate } from "../wiring/wire";
import type { HostSize } from "./hosts";
import { defaultScenarioOptions } from "./options";

/**
 * The whole system on one machine: the local cloud booted and template.yaml wired
 * into it, with every name the commands and tests need resolved from the template
 * (never restated), and SDK clients pointed at the edge as a user's would be.
 */

export interface SystemOptions {
  /** Edge port: 4566 for the commands, 0 (ephemeral) for tests. */
  port?: number;
  runTasks: "processes" | "simulated";
  /** Simulated seconds per real second: schedules, Wait/Retry intervals, health checks. */
  timeScale: number;
  /** Template parameter overrides, as `sam deploy --parameter-overrides` gives them. */
  parameters?: Readonly<Record<string, string>>;
  /** Extra variables for every function (e.g. DEMAND_SEED); the template's own win. */
  functionEnvironment?: Readonly<Record<string, string>>;
  containersDir?: string;
  stopTimeoutMs?: number;
  /** Where a trigger's failed invocation is reported; default: printed. */
  onError?(where: string, error: unknown): void;
  cloud?: Partial<LocalCloudOptions>;
  /** What every host registers with; default the scenario's (see options.ts). */
  hostSize?: HostSize;
}

/** The template's names, resolved to the local resources. */
export interface SystemNames {
  cluster: string;
  clusterArn: string;
  services: {
    perHost: string;
    web: string;
    backend: string;
    highPriority: string;
    lowPriority: string;
  };
  demandTable: string;
  benchmarkResultsTable: string;
  stateMachineArn: string;
  loadBalancerUrl: string;
  /** Every function's logical ID, in template order. */
  functions: string[];
  /** `MaxHosts`: how many hosts the Auto Scaling group may run. */
  maxHosts: number;
  /** The hosts' Auto Scaling group (HostAutoScalingGroup). */
  hostGroup: string;
}

export interface LocalSystem {
  cloud: LocalCloud;
  wired: WiredCloud;
  template: Template;
  names: SystemNames;
  clients: {
    ecs: ECSClient;
    autoscaling: AutoScalingClient;
    dynamodb: DynamoDBClient;
    sfn: SFNClient;
  };
  stop(): Promise<void>;
}

/**
 * Variables Powertools reads once, when a function module is first imported (outside
 * any invocation, so from the process's own environment): warnings only and no EMF
 * lines, so the console shows the scenario's progress rather than JSON logs.
 */
export function quietFunctionLogs(level = "WARN"): void {
  process.env.POWERTOOLS_LOG_LEVEL ??= level;
  // Functions get the template's POWERTOOLS_LOG_LEVEL; this one wins over it (local/lambda).
  process.env.MICROSCALE_FUNCTION_LOG_LEVEL ??= process.env.POWERTOOLS_LOG_LEVEL;
  process.env.POWERTOOLS_METRICS_DISABLED ??= "true";
  // The SDK's notice that its 2027 releases need Node 22 says nothing about this run.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
}

/** The template as the local cloud runs it: parameter overrides applied. */
export function localTemplate(
  parameters: Readonly<Record<string, string>> = {},
  template: Template = readTemplate(),
): Template {
  const copy = structuredClone(template);
  for (const [name, value] of Object.entries(parameters)) {
    const parameter = copy.Parameters?.[name];
    if (parameter === undefined) throw new Error(`template.yaml has no parameter ${name}`);
    parameter.Default = value;
  }
  return copy;
}

/** The name the template gives `key`; an Error naming it when nothing resolves it. */
export function required(map: Readonly<Record<string, string>>, key: string): string {
  const value = map[key];
  if (value === undefined) throw new Error(`template.yaml: nothing resolves ${key}`);
  return value;
}

export function resolveNames(wired: WiredCloud, template: Template): SystemNames {
  const { refs, attributes } = wired;
  const loadBalancer = wired.loadBalancers.get("LoadBalancer");
  if (loadBalancer === undefined) throw new Error("template.yaml: no LoadBalancer was wired");
  return {
    cluster: required(refs, "Cluster"),
    clusterArn: required(attributes, "Cluster.Arn"),
    services: {
      perHost: required(attributes, "AgentService.Name"),
      web: required(attributes, "WebService.Name"),
      backend: required(attributes, "BackendService.Name"),
      highPriority: required(attributes, "HighPriorityService.Name"),
      lowPriority: required(attributes, "LowPriorityService.Name"),
    },
    demandTable: required(refs, "DemandTable"),
    benchmarkResultsTable: required(refs, "BenchmarkResultsTable"),
    stateMachineArn: required(refs, "DeployAndBenchmarkStateMachine"),
    loadBalancerUrl: loadBalancer.url,
    functions: Object.entries(template.Resources)
      .filter(([, resource]) => resource.Type === "AWS::Serverless::Function")
      .map(([id]) => id),
    maxHosts: Number(template.Parameters?.MaxHosts?.Default ?? 6),
    hostGroup: required(refs, "HostAutoScalingGroup"),
  };
}

export async function bootSystem(options: SystemOptions): Promise<LocalSystem> {
  // The group starts empty: the scenario and the tests choose the hosts (SetDesiredCapacity).
  const template = localTemplate({ MinHosts: "0", ...options.parameters });
  const port = options.port ?? 4566;
  const cloud = await startLocalCloud({
    port,
    timeScale: options.timeScale,
    runTasks: options.runTasks,
    containersDir: options.containersDir,
    stopTimeoutMs: options.stopTimeoutMs,
    ...options.cloud,
  }).catch((error: unknown) => {
    if ((error as { code?: string }).code === "EADDRINUSE") {
      throw new Error(
        `port ${port} is in use (is \`npm run local\` running?): stop it, or pass --port <n> (0 picks a free one)`,
      );
    }
    throw error;
  });
  let wired: WiredCloud;
  try {
    wired = await wireTemplate(cloud, {
      template,
      functionEnvironment: { ...options.functionEnvironment },
      hostSize: options.hostSize ?? defaultScenarioOptions.hostSize,
      onError: options.onError,
      // A chosen edge port puts the load balancer on the next one; an ephemeral edge, ephemeral.
      ...(port === 0 ? {} : { loadBalancerPort: port + 1 }),
    });
  } catch (error) {
    await cloud.stop();
    throw error;
  }
  // The scenario's own calls ride out injected throttling as a patient client would.
  const config = localClientConfig(cloud.endpoint, { region: cloud.region, maxAttempts: 10 });
  const clients = {
    ecs: new ECSClient(config),
    autoscaling: new AutoScalingClient(config),
    dynamodb: new DynamoDBClient(config),
    sfn: new SFNClient(config),
  };
  let stopping: Promise<void> | undefined;
  return {
    cloud,
    wired,
    template,
    names: resolveNames(wired, template),
    clients,
    stop() {
      stopping ??= (async () => {
        try {
          await wired.stop();
        } finally {
          for (const client of Object.values(clients)) client.destroy();
          await cloud.stop();
        }
      })();
      return stopping;
    },
  };
}
