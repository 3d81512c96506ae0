import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import {
  CreateTableCommand,
  DynamoDBClient,
  ResourceInUseException,
} from "@aws-sdk/client-dynamodb";
import {
  CreateServiceCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
} from "@aws-sdk/client-ecs";
import type { LocalClock } from "../clock";
import type { LocalCloud } from "../cloud";
import { compilePattern } from "../eventbridge/pattern";
import { functionFromTemplate } from "../lambda/definition";
import { LocalLambdaRuntime } from "../lambda/runtime";
import { LocalLoadBalancer } from "../loadbalancer/balancer";
import { followServiceTasks, healthCheckFromTargetGroup } from "../loadbalancer/targets";
import { Scheduler } from "../schedules/scheduler";
import { localClientConfig, localStackName } from "../settings";
import { LocalStepFunctions } from "../stepfunctions/executions";
import { SdkIntegration, toServiceInput } from "../stepfunctions/sdk-integration";
import {
  type JsonObject,
  projectRoot,
  readTemplate,
  resourcesOfType,
  type Template,
} from "../template/read";
import { resolveIntrinsics } from "../template/resolve";
import {
  functionTriggers,
  loadBalancedServices,
  localResolveContext,
  serviceConnectAliases,
  stateMachines,
} from "./plan";

/**
 * Applies template.yaml to a running local cloud: tables, cluster, task definitions
 * and services through the real SDK against the edge; functions registered with the
 * local runtime and subscribed to their triggers; load balancers following their
 * services; the state machines on the edge.
 */

export interface WireOptions {
  stackName?: string;
  template?: Template;
  /** Extra variables for every function (log level, metrics off). */
  functionEnvironment?: Record<string, string>;
  onError?(where: string, error: unknown): void;
}

export interface WiredCloud {
  lambda: LocalLambdaRuntime;
  stepFunctions: LocalStepFunctions;
  scheduler: Scheduler;
  loadBalancers: Map<string, LocalLoadBalancer>;
  /** Logical ID → local name/ARN, for the CLI and tests. */
  refs: Readonly<Record<string, string>>;
  attributes: Readonly<Record<string, string>>;
  stop(): Promise<void>;
}

/** CloudFormation's property names where the ECS API uses a different word. */
const ecsServiceRenames: Record<string, string> = {
  PlacementStrategies: "PlacementStrategy",
};
/** Properties that are CloudFormation-only or not modelled locally. */
const ecsServiceDropped = new Set(["ServiceConnectConfiguration", "NetworkConfiguration"]);

export async function wireTemplate(
  cloud: LocalCloud,
  options: WireOptions = {},
): Promise<WiredCloud> {
  const template = options.template ?? readTemplate();
  const { clock } = cloud;
  const stackName = options.stackName ?? localStackName;
  const report = options.onError ?? ((where, error) => console.error(`${where}:`, error));
  const { region, accountId, endpoint } = cloud;
  const sdkConfig = localClientConfig(endpoint, { region });

  // Load balancers first: their URLs are the DNSName other resources refer to.
  const loadBalancers = new Map<string, LocalLoadBalancer>();
  const lbDnsNames: Record<string, string> = {};
  for (const [id] of resourcesOfType(template, "AWS::ElasticLoadBalancingV2::LoadBalancer")) {
    const lb = new LocalLoadBalancer({ name: id });
    lbDnsNames[id] = (await lb.listen()).replace(/^http:\/\//, "");
    loadBalancers.set(id, lb);
  }
  const context = localResolveContext(template, {
    region,
    accountId,
    stackName,
    loadBalancerDnsNames: lbDnsNames,
  });
  const resolved = (id: string) =>
    resolveIntrinsics(template.Resources[id]?.Properties ?? {}, context) as JsonObject;

  // Tables.
  const dynamodb = new DynamoDBClient(sdkConfig);
  for (const [id] of resourcesOfType(template, "AWS::DynamoDB::Table")) {
    const p = resolved(id);
    try {
      await dynamodb.send(
        new CreateTableCommand({
          TableName: context.refs[id],
          KeySchema: p.KeySchema,
          AttributeDefinitions: p.AttributeDefinitions,
          GlobalSecondaryIndexes: p.GlobalSecondaryIndexes,
          BillingMode: (p.BillingMode as string) ?? "PAY_PER_REQUEST",
          StreamSpecification: p.StreamSpecification
            ? { StreamEnabled: true, ...(p.StreamSpecification as JsonObject) }
            : undefined,
        } as ConstructorParameters<typeof CreateTableCommand>[0]),
      );
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
  }
  dynamodb.destroy();

  // Service Connect: each client alias (`backend:8080`) becomes a local proxy over the
  // publishing service's tasks. Containers have no Service Connect DNS here, so the alias
  // in task definition environment values is rewritten to the proxy's address.
  const unsubscribes: (() => void)[] = [];
  /** Keeps a proxy's targets in step with a service's running tasks. */
  const follow = (
    balancer: LocalLoadBalancer,
    service: { serviceName: string; containerName: string; containerPort: number },
  ) =>
    unsubscribes.push(
      followServiceTasks(cloud.events, balancer, {
        clusterArn: context.attributes?.["Cluster.Arn"],
        serviceName: service.serviceName,
        containerName: service.containerName,
        containerPort: service.containerPort,
      }),
    );
  const aliasAddresses = new Map<string, string>();
  for (const alias of serviceConnectAliases(template)) {
    const proxy = new LocalLoadBalancer({ name: `${alias.serviceLogicalId}-service-connect` });
    const url = await proxy.listen();
    loadBalancers.set(alias.serviceLogicalId, proxy);
    follow(proxy, alias);
    // Service Connect routes to every RUNNING task (Envoy ejects failing ones): any HTTP
    // answer counts as alive, checked often, so a new task is in rotation at once.
    proxy.configureHealthCheck({
      path: "/",
      matcher: "100-599",
      intervalMs: Math.max(100, clock.realMs(5)),
      timeoutMs: 1_000,
      healthyThreshold: 1,
      unhealthyThreshold: 2,
    });
    aliasAddresses.set(`//${alias.dnsName}:${alias.port}`, url.replace(/^http:/, ""));
  }
  const withAliasesResolved = (value: string) =>
    [...aliasAddresses].reduce((text, [alias, address]) => text.replaceAll(alias, address), value);

  // Cluster, task definitions, services.
  const ecs = new ECSClient(sdkConfig);
  for (const [id] of resourcesOfType(template, "AWS::ECS::Cluster")) {
    cloud.ecs.ensureCluster(context.refs[id] as string);
  }
  for (const [id] of resourcesOfType(template, "AWS::ECS::TaskDefinition")) {
    const input = toServiceInput("ecs", resolved(id)) as Record<string, unknown>;
    input.family ??= `${stackName}-${id}`;
    for (const container of (input.containerDefinitions ?? []) as {
      environment?: { value?: string }[];
    }[]) {
      for (const variable of container.environment ?? []) {
        if (typeof variable.value === "string")
          variable.value = withAliasesResolved(variable.value);
      }
    }
    await ecs.send(
      new RegisterTaskDefinitionCommand(
        input as unknown as ConstructorParameters<typeof RegisterTaskDefinitionCommand>[0],
      ),
    );
  }
  for (const [id] of resourcesOfType(template, "AWS::ECS::Service")) {
    const properties = Object.fromEntries(
      Object.entries(resolved(id))
        .filter(([key]) => !ecsServiceDropped.has(key))
        .map(([key, value]) => [ecsServiceRenames[key] ?? key, value]),
    );
    const input = toServiceInput("ecs", properties) as Record<string, unknown>;
    // The local task definition is revision 1 of the family the template registered.
    input.serviceName ??= id;
    await ecs.send(
      new CreateServiceCommand(
        input as unknown as ConstructorParameters<typeof CreateServiceCommand>[0],
      ),
    );
  }
  ecs.destroy();

  // Load balancers follow their services' tasks; a target group no listener forwards
  // to still gets a proxy of its own, so its service is reachable locally.
  for (const service of loadBalancedServices(template)) {
    let balancer = service.loadBalancerLogicalId
      ? loadBalancers.get(service.loadBalancerLogicalId)
      : undefined;
    if (balancer === undefined) {
      balancer = new LocalLoadBalancer({ name: service.serviceLogicalId });
      await balancer.listen();
      loadBalancers.set(service.serviceLogicalId, balancer);
    }
    balancer.configureHealthCheck(healthCheckFromTargetGroup(service.targetGroup, clock));
    follow(balancer, service);
  }

  // Functions and their triggers.
  const lambda = new LocalLambdaRuntime({
    region,
    accountId,
    endpoint,
    environment: options.functionEnvironment,
  });
  const scheduler = new Scheduler({
    account: accountId,
    region,
    clock,
    onError: (rule, error) => report(`schedule ${rule.name}`, error),
  });
  for (const [id] of resourcesOfType(template, "AWS::Serverless::Function")) {
    lambda.register(functionFromTemplate(template, id, context));
    for (const trigger of functionTriggers(template, id, context)) {
      const where = `${id}.${trigger.name}`;
      const invoke = (event: unknown) =>
        lambda.invoke(id, event).catch((error: unknown) => report(where, error));
      if (trigger.kind === "EventBridgeRule") {
        const matches = compilePattern(trigger.pattern);
        unsubscribes.push(
          cloud.events.subscribe((event) => {
            if (matches(event)) void invoke(event);
          }),
        );
      } else if (trigger.kind === "Schedule") {
        if (trigger.enabled) {
          scheduler.add({
            name: where,
            ruleArn: trigger.ruleArn,
            expression: trigger.expression,
            target: invoke,
          });
        }
      } else {
        const tableName = context.refs[trigger.tableLogicalId] as string;
        unsubscribes.push(
          cloud.dynamodb.subscribeStream(tableName, (records) => {
            for (let i = 0; i < records.length; i += trigger.batchSize) {
              void invoke({ Records: records.slice(i, i + trigger.batchSize) });
            }
          }),
        );
      }
    }
  }

  // State machines, served on the edge.
  const sdk = new SdkIntegration({ endpoint, region });
  const stepFunctions = new LocalStepFunctions({ region, accountId, lambda, sdk, clock });
  for (const machine of stateMachines(template, context)) {
    stepFunctions.createStateMachine({
      name: machine.name,
      definitionText: readFileSync(resolve(projectRoot, machine.definitionUri), "utf8"),
      substitutions: scaledDurations(machine.substitutions, clock),
    });
  }
  cloud.edge.route("AWSStepFunctions", stepFunctions.handle, {
    namespace: "com.amazonaws.swf.service.v2.model",
  });

  return {
    lambda,
    stepFunctions,
    scheduler,
    loadBalancers,
    refs: context.refs,
    attributes: context.attributes ?? {},
    async stop() {
      scheduler.stop();
      for (const unsubscribe of unsubscribes) unsubscribe();
      await stepFunctions.stopAll();
      // Let invocations in flight finish while the edge still answers (a schedule tick at
      // shutdown otherwise meets ECONNREFUSED); a long benchmark run is not waited for.
      await Promise.race([
        lambda.drain(),
        new Promise((resolveLater) => setTimeout(resolveLater, 5_000).unref()),
      ]);
      sdk.destroy();
      await Promise.all([...loadBalancers.values()].map((lb) => lb.close()));
    },
  };
}

/**
 * Substitutions named `…Seconds` are durations (the ASL reads them into `SecondsPath`
 * waits, which aws-local-stepfunctions cannot scale as it scales fixed `Seconds`), so
 * they run on the same faster clock as schedules, waits and health checks.
 */
function scaledDurations(
  substitutions: Readonly<Record<string, string>>,
  clock: LocalClock,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(substitutions).map(([name, value]) => {
      const seconds = Number(value);
      return name.endsWith("Seconds") && Number.isFinite(seconds)
        ? [name, String(clock.realWholeSeconds(seconds))]
        : [name, value];
    }),
  );
}
