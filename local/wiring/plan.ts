import { localAccountId, localRegion } from "../settings";
import {
  isObject,
  type Json,
  type JsonObject,
  resourcesOfType,
  type Template,
  withGlobals,
} from "../template/read";
import { type ResolveContext, resolveIntrinsics } from "../template/resolve";

/**
 * What the template asks the local cloud to wire, read from `template.yaml` and
 * resolved to local names — nothing here restates the template:
 * - local values for every `!Ref`/`!GetAtt` (names, ARNs, the load balancer's URL);
 * - each function's triggers (EventBridge patterns, schedules, DynamoDB streams);
 * - the state machine's definition file and substitutions;
 * - the load-balanced services and their target groups' health checks.
 */

export interface LocalNames {
  region: string;
  accountId: string;
  stackName: string;
  /** `host:port` of the local load balancer standing in for each ELBv2 LoadBalancer. */
  loadBalancerDnsNames?: Readonly<Record<string, string>>;
  /** Overrides of parameter defaults (`Stage`, …). */
  parameters?: Readonly<Record<string, string>>;
}

function evaluateCondition(node: Json, context: ResolveContext, template: Template): boolean {
  if (!isObject(node)) return Boolean(node);
  const [name, argument] = Object.entries(node)[0] ?? [];
  const list = Array.isArray(argument) ? argument : [];
  switch (name) {
    case "Fn::Equals": {
      const [a, b] = list.map((item) => resolveIntrinsics(item, context));
      return JSON.stringify(a) === JSON.stringify(b);
    }
    case "Fn::Not":
      return !evaluateCondition(list[0] ?? null, context, template);
    case "Fn::And":
      return list.every((item) => evaluateCondition(item, context, template));
    case "Fn::Or":
      return list.some((item) => evaluateCondition(item, context, template));
    case "Condition":
      return evaluateCondition(template.Conditions?.[String(argument)] ?? null, context, template);
    default:
      throw new Error(`condition function ${name} is not supported locally`);
  }
}

const arnService: Record<string, string> = {
  "AWS::SQS::Queue": "sqs",
  "AWS::SNS::Topic": "sns",
  "AWS::Logs::LogGroup": "logs",
  "AWS::IAM::Role": "iam",
  "AWS::Serverless::LayerVersion": "lambda",
  "AWS::ServiceDiscovery::HttpNamespace": "servicediscovery",
};

/**
 * Parameters whose AWS default does not fit the local cloud: there the images are
 * built from containers/ when a task starts, so they always exist.
 */
const localParameterDefaults: Readonly<Record<string, string>> = { ImagesPushed: "true" };

/** Local values for every parameter, pseudo parameter, resource Ref and attribute. */
export function localResolveContext(template: Template, names: LocalNames): ResolveContext {
  const { region, accountId, stackName } = names;
  const refs: Record<string, string> = {
    "AWS::Region": region,
    "AWS::AccountId": accountId,
    "AWS::StackName": stackName,
    "AWS::StackId": `arn:aws:cloudformation:${region}:${accountId}:stack/${stackName}/local`,
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
  };
  for (const [name, parameter] of Object.entries(template.Parameters ?? {})) {
    const value = names.parameters?.[name] ?? localParameterDefaults[name] ?? parameter.Default;
    if (value !== undefined) refs[name] = Array.isArray(value) ? value.join(",") : String(value);
  }
  const attributes: Record<string, string> = {};
  const context: ResolveContext = { refs, attributes, mappings: template.Mappings };
  const prefix = `arn:aws`;
  // A name property may be an intrinsic (`!Sub ${AWS::StackName}-web`); what cannot be
  // resolved yet falls back to the name CloudFormation would generate.
  const named = (properties: JsonObject, key: string, id: string) => {
    const value = properties[key];
    if (typeof value === "string") return value;
    if (value === undefined) return `${stackName}-${id}`;
    try {
      const resolved = resolveIntrinsics(value, context);
      return typeof resolved === "string" ? resolved : `${stackName}-${id}`;
    } catch {
      return `${stackName}-${id}`;
    }
  };
  // First pass: names that other values are built from.
  for (const [id, resource] of Object.entries(template.Resources)) {
    const properties = resource.Properties ?? {};
    switch (resource.Type) {
      case "AWS::ECS::Cluster": {
        const name = named(properties, "ClusterName", id);
        refs[id] = name;
        attributes[`${id}.Arn`] = `${prefix}:ecs:${region}:${accountId}:cluster/${name}`;
        break;
      }
      case "AWS::DynamoDB::Table": {
        const name = named(properties, "TableName", id);
        refs[id] = name;
        attributes[`${id}.Arn`] = `${prefix}:dynamodb:${region}:${accountId}:table/${name}`;
        attributes[`${id}.StreamArn`] = `${attributes[`${id}.Arn`]}/stream/local`;
        break;
      }
      case "AWS::Serverless::Function": {
        const name = named(properties, "FunctionName", id);
        refs[id] = name;
        attributes[`${id}.Arn`] = `${prefix}:lambda:${region}:${accountId}:function:${name}`;
        break;
      }
      case "AWS::Serverless::StateMachine": {
        const name = named(properties, "Name", id);
        refs[id] = `${prefix}:states:${region}:${accountId}:stateMachine:${name}`;
        attributes[`${id}.Arn`] = refs[id];
        attributes[`${id}.Name`] = name;
        break;
      }
      case "AWS::ElasticLoadBalancingV2::LoadBalancer": {
        refs[id] =
          `${prefix}:elasticloadbalancing:${region}:${accountId}:loadbalancer/app/${id}/local`;
        attributes[`${id}.DNSName`] = names.loadBalancerDnsNames?.[id] ?? `${id}.local`;
        attributes[`${id}.LoadBalancerFullName`] = `app/${id}/local`;
        break;
      }
      case "AWS::ElasticLoadBalancingV2::TargetGroup":
        refs[id] = `${prefix}:elasticloadbalancing:${region}:${accountId}:targetgroup/${id}/local`;
        attributes[`${id}.TargetGroupFullName`] = `targetgroup/${id}/local`;
        break;
      case "AWS::SQS::Queue":
        refs[id] = `http://sqs.${region}.localhost/${accountId}/${stackName}-${id}`;
        attributes[`${id}.Arn`] = `${prefix}:sqs:${region}:${accountId}:${stackName}-${id}`;
        attributes[`${id}.QueueName`] = `${stackName}-${id}`;
        break;
      case "AWS::ECR::Repository":
        refs[id] = named(properties, "RepositoryName", id);
        attributes[`${id}.Arn`] = `${prefix}:ecr:${region}:${accountId}:repository/${refs[id]}`;
        attributes[`${id}.RepositoryUri`] =
          `${accountId}.dkr.ecr.${region}.amazonaws.com/${refs[id]}`;
        break;
      default: {
        refs[id] = `${stackName}-${id}`;
        const service = arnService[resource.Type] ?? resource.Type.split("::")[1]?.toLowerCase();
        attributes[`${id}.Arn`] = `${prefix}:${service}:${region}:${accountId}:${stackName}-${id}`;
      }
    }
  }
  // Second pass: values that need other resources' names.
  for (const [id, resource] of Object.entries(template.Resources)) {
    const properties = resource.Properties ?? {};
    if (resource.Type === "AWS::ECS::TaskDefinition") {
      const family =
        typeof properties.Family === "string"
          ? properties.Family
          : String(resolveIntrinsics(properties.Family ?? `${stackName}-${id}`, context));
      refs[id] = `${prefix}:ecs:${region}:${accountId}:task-definition/${family}:1`;
    }
    if (resource.Type === "AWS::ECS::Service") {
      const cluster = String(resolveIntrinsics(properties.Cluster ?? "default", context));
      const name = typeof properties.ServiceName === "string" ? properties.ServiceName : id;
      refs[id] = `${prefix}:ecs:${region}:${accountId}:service/${cluster}/${name}`;
      attributes[`${id}.Name`] = name;
      attributes[`${id}.ServiceArn`] = refs[id];
    }
  }
  context.conditions = Object.fromEntries(
    Object.entries(template.Conditions ?? {}).map(([name, node]) => [
      name,
      evaluateCondition(node, context, template),
    ]),
  );
  return context;
}

export type FunctionTrigger =
  | { kind: "EventBridgeRule"; name: string; ruleArn: string; pattern: JsonObject }
  | { kind: "Schedule"; name: string; ruleArn: string; expression: string; enabled: boolean }
  | {
      kind: "DynamoDB";
      name: string;
      tableLogicalId: string;
      batchSize: number;
      batchingWindowMs: number;
    };

/** A function's `Events`, resolved. Unsupported event types throw, naming the function. */
export function functionTriggers(
  template: Template,
  logicalId: string,
  context: ResolveContext,
): FunctionTrigger[] {
  const resource = template.Resources[logicalId];
  if (resource === undefined) throw new Error(`no resource ${logicalId}`);
  const events = withGlobals(template, resource).Events;
  if (!isObject(events ?? null)) return [];
  const region = context.refs["AWS::Region"] ?? localRegion;
  const accountId = context.refs["AWS::AccountId"] ?? localAccountId;
  const ruleArn = (name: string) =>
    `arn:aws:events:${region}:${accountId}:rule/${context.refs["AWS::StackName"]}-${logicalId}${name}`;
  return Object.entries(events as JsonObject).map(([name, event]): FunctionTrigger => {
    const { Type: type, Properties: raw } = event as { Type: string; Properties?: JsonObject };
    const properties = raw ?? {};
    switch (type) {
      case "EventBridgeRule":
      case "CloudWatchEvent":
        return {
          kind: "EventBridgeRule",
          name,
          ruleArn: ruleArn(name),
          pattern: resolveIntrinsics(properties.Pattern ?? {}, context) as JsonObject,
        };
      case "Schedule":
      case "ScheduleV2": {
        const resolved = resolveIntrinsics(properties, context) as JsonObject;
        const expression = resolved.Schedule ?? resolved.ScheduleExpression;
        const state = resolved.State;
        return {
          kind: "Schedule",
          name,
          ruleArn: ruleArn(name),
          expression: String(expression),
          enabled: resolved.Enabled === false ? false : state === undefined || state === "ENABLED",
        };
      }
      case "DynamoDB": {
        const stream = properties.Stream;
        const table =
          isObject(stream ?? null) && Array.isArray((stream as JsonObject)["Fn::GetAtt"])
            ? String(((stream as JsonObject)["Fn::GetAtt"] as Json[])[0])
            : undefined;
        if (table === undefined) {
          throw new Error(`${logicalId}.${name}: Stream must be !GetAtt <Table>.StreamArn locally`);
        }
        return {
          kind: "DynamoDB",
          name,
          tableLogicalId: table,
          batchSize: typeof properties.BatchSize === "number" ? properties.BatchSize : 100,
          batchingWindowMs:
            typeof properties.MaximumBatchingWindowInSeconds === "number"
              ? properties.MaximumBatchingWindowInSeconds * 1000
              : 0,
        };
      }
      default:
        throw new Error(`${logicalId}.${name}: event type ${type} is not wired by the local cloud`);
    }
  });
}

export interface StateMachinePlan {
  logicalId: string;
  name: string;
  definitionUri: string;
  substitutions: Record<string, string>;
}

export function stateMachines(template: Template, context: ResolveContext): StateMachinePlan[] {
  return resourcesOfType(template, "AWS::Serverless::StateMachine").map(([id, resource]) => {
    const properties = withGlobals(template, resource);
    if (typeof properties.DefinitionUri !== "string") {
      throw new Error(`${id}: the local cloud needs DefinitionUri as a file path`);
    }
    const substitutions = resolveIntrinsics(properties.DefinitionSubstitutions ?? {}, context);
    return {
      logicalId: id,
      name: context.attributes?.[`${id}.Name`] ?? id,
      definitionUri: properties.DefinitionUri,
      substitutions: Object.fromEntries(
        Object.entries(substitutions as JsonObject).map(([key, value]) => [key, String(value)]),
      ),
    };
  });
}

export interface LoadBalancedService {
  serviceLogicalId: string;
  serviceName: string;
  containerName: string;
  containerPort: number;
  targetGroupLogicalId: string;
  /** The target group's own properties (health check settings). */
  targetGroup: JsonObject;
  /** The LoadBalancer whose listener forwards to the target group, if any. */
  loadBalancerLogicalId?: string;
}

/** Every ECS service with `LoadBalancers`, joined to its target group and load balancer. */
export function loadBalancedServices(template: Template): LoadBalancedService[] {
  const listeners = resourcesOfType(template, "AWS::ElasticLoadBalancingV2::Listener");
  const refTarget = (node: Json | undefined) =>
    isObject(node ?? null) && typeof (node as JsonObject).Ref === "string"
      ? ((node as JsonObject).Ref as string)
      : undefined;
  return resourcesOfType(template, "AWS::ECS::Service").flatMap(([id, resource]) => {
    const properties = resource.Properties ?? {};
    const balancers = Array.isArray(properties.LoadBalancers) ? properties.LoadBalancers : [];
    return balancers.flatMap((entry): LoadBalancedService[] => {
      const binding = entry as JsonObject;
      const targetGroupId = refTarget(binding.TargetGroupArn);
      if (targetGroupId === undefined) return [];
      const listener = listeners.find(([, l]) =>
        JSON.stringify(l.Properties?.DefaultActions ?? []).includes(`"Ref":"${targetGroupId}"`),
      );
      return [
        {
          serviceLogicalId: id,
          serviceName: typeof properties.ServiceName === "string" ? properties.ServiceName : id,
          containerName: String(binding.ContainerName),
          containerPort: Number(binding.ContainerPort),
          targetGroupLogicalId: targetGroupId,
          targetGroup: template.Resources[targetGroupId]?.Properties ?? {},
          loadBalancerLogicalId: listener
            ? refTarget(listener[1].Properties?.LoadBalancerArn)
            : undefined,
        },
      ];
    });
  });
}

export interface ServiceConnectAlias {
  serviceLogicalId: string;
  serviceName: string;
  /** The container and port the alias reaches (the port mapping named `PortName`). */
  containerName: string;
  containerPort: number;
  /** `DnsName:Port` clients use, e.g. `backend:8080`. */
  dnsName: string;
  port: number;
}

/**
 * Every Service Connect client alias a service publishes (`ServiceConnectConfiguration.
 * Services[].ClientAliases`), joined to the container port mapping its `PortName` names.
 */
export function serviceConnectAliases(template: Template): ServiceConnectAlias[] {
  return resourcesOfType(template, "AWS::ECS::Service").flatMap(([id, resource]) => {
    const properties = resource.Properties ?? {};
    const connect = properties.ServiceConnectConfiguration;
    if (!isObject(connect ?? null) || (connect as JsonObject).Enabled === false) return [];
    const published = (connect as JsonObject).Services;
    const taskDefinitionId = isObject(properties.TaskDefinition ?? null)
      ? (properties.TaskDefinition as JsonObject).Ref
      : undefined;
    const containers =
      template.Resources[String(taskDefinitionId)]?.Properties?.ContainerDefinitions;
    if (!Array.isArray(published) || !Array.isArray(containers)) return [];
    return published.flatMap((entry): ServiceConnectAlias[] => {
      const { PortName: portName, ClientAliases: aliases } = entry as JsonObject;
      for (const container of containers as JsonObject[]) {
        const mappings = Array.isArray(container.PortMappings) ? container.PortMappings : [];
        const mapping = (mappings as JsonObject[]).find((m) => m.Name === portName);
        if (mapping === undefined) continue;
        return (Array.isArray(aliases) ? (aliases as JsonObject[]) : []).map((alias) => ({
          serviceLogicalId: id,
          serviceName: typeof properties.ServiceName === "string" ? properties.ServiceName : id,
          containerName: String(container.Name),
          containerPort: Number(mapping.ContainerPort),
          dnsName: String(alias.DnsName ?? portName),
          port: Number(alias.Port ?? mapping.ContainerPort),
        }));
      }
      return [];
    });
  });
}
