import { localAccountId, localRegion, localStackName } from "../settings";
import { evaluateConditions } from "../template/conditions";
import type { JsonObject, Template } from "../template/read";
import { type ResolveContext, resolveIntrinsics } from "../template/resolve";

/**
 * Local values for every `!Ref` and `!GetAtt` in the template — parameters, pseudo
 * parameters, each resource's name and ARNs, the load balancers' URLs — and the value
 * of every Condition, as CloudFormation would give them for a stack in the local
 * account. Every wiring step resolves properties with them; nothing restates a name.
 */

export interface LocalNames {
  /** Default: the local settings' region, account and stack name. */
  region?: string;
  accountId?: string;
  stackName?: string;
  /** `host:port` of the local load balancer standing in for each ELBv2 LoadBalancer. */
  loadBalancerDnsNames?: Readonly<Record<string, string>>;
  /** Overrides of parameter defaults (`Stage`, …). */
  parameters?: Readonly<Record<string, string>>;
}

const arnService: Record<string, string> = {
  "AWS::SQS::Queue": "sqs",
  "AWS::SNS::Topic": "sns",
  "AWS::Serverless::LayerVersion": "lambda",
  "AWS::ServiceDiscovery::HttpNamespace": "servicediscovery",
};

/**
 * Parameters whose AWS default does not fit the local cloud: there the images are
 * built from containers/ when a task starts, so they always exist; and the local
 * account has no concurrency quota, so one host consolidator runs at a time, as
 * samconfig.toml's prod environment asks.
 */
const localParameterDefaults: Readonly<Record<string, string>> = {
  ImagesPushed: "true",
  HostConsolidatorConcurrency: "1",
};

/** Local values for every parameter, pseudo parameter, resource Ref and attribute. */
export function localResolveContext(template: Template, names: LocalNames = {}): ResolveContext {
  const { region = localRegion, accountId = localAccountId, stackName = localStackName } = names;
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
      case "AWS::EC2::LaunchTemplate": {
        // A launch template ID is lt- and 17 hex digits; the local one is derived from its logical ID.
        const hex = Buffer.from(id).toString("hex").padEnd(17, "0").slice(0, 17);
        refs[id] = `lt-${hex}`;
        attributes[`${id}.LaunchTemplateId`] = refs[id];
        attributes[`${id}.LatestVersionNumber`] = "1";
        attributes[`${id}.DefaultVersionNumber`] = "1";
        break;
      }
      case "AWS::ECR::Repository":
        refs[id] = named(properties, "RepositoryName", id);
        attributes[`${id}.Arn`] = `${prefix}:ecr:${region}:${accountId}:repository/${refs[id]}`;
        attributes[`${id}.RepositoryUri`] =
          `${accountId}.dkr.ecr.${region}.amazonaws.com/${refs[id]}`;
        break;
      case "AWS::Logs::LogGroup": {
        const name = named(properties, "LogGroupName", id);
        refs[id] = name;
        attributes[`${id}.Arn`] = `${prefix}:logs:${region}:${accountId}:log-group:${name}:*`;
        break;
      }
      case "AWS::IAM::Role":
      case "AWS::IAM::InstanceProfile": {
        // IAM is global: its ARNs have no Region, and name the resource type.
        const name = named(
          properties,
          resource.Type === "AWS::IAM::Role" ? "RoleName" : "InstanceProfileName",
          id,
        );
        refs[id] = name;
        const kind = resource.Type === "AWS::IAM::Role" ? "role" : "instance-profile";
        attributes[`${id}.Arn`] = `${prefix}:iam::${accountId}:${kind}/${name}`;
        break;
      }
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
  context.conditions = evaluateConditions(template, context);
  return context;
}
