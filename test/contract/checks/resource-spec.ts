import { createRequire } from "node:module";
import { isIntrinsic, isObject, type Json, type Template } from "../../../local/template/read";

/**
 * Resource types and property names against the CloudFormation resource
 * specification shipped by @aws-cdk/cfnspec (spec 117, 2023; it includes the
 * AWS::Serverless::* types).
 */
interface PropertySpec {
  Type?: string;
  ItemType?: string;
  PrimitiveType?: string;
  PrimitiveItemType?: string;
  Required?: boolean;
}
interface TypeSpec {
  Properties?: Record<string, PropertySpec>;
}
interface Specification {
  ResourceSpecificationVersion: string;
  ResourceTypes: Record<string, TypeSpec>;
  PropertyTypes: Record<string, TypeSpec>;
}

const require = createRequire(import.meta.url);
export const specification = require("@aws-cdk/cfnspec/spec/specification.json") as Specification;

/**
 * Properties that post-date spec 117 and are valid today. Each says why; each is
 * checked to still be missing from the spec (a newer spec would make it dead).
 */
export const newerThanSpec: Readonly<Record<string, readonly string[]>> = {
  // Lambda advanced logging controls (JSON logs, custom log group), SAM support Nov 2023.
  "AWS::Serverless::Function": ["LoggingConfig"],
  // SAM LayerVersion has accepted CompatibleArchitectures since arm64 Lambda (2021); the spec omits it.
  "AWS::Serverless::LayerVersion": ["CompatibleArchitectures"],
  // ECR repositories that delete their images with the stack, Sep 2023.
  "AWS::ECR::Repository": ["EmptyOnDelete"],
  // ECS managed instance draining for capacity providers, Jan 2024.
  "AWS::ECS::CapacityProvider.AutoScalingGroupProvider": ["ManagedDraining"],
  // SAM Schedule events: DLQ and retry policy (2021) and State (2022) are missing from spec 117.
  "AWS::Serverless::Function.ScheduleEvent": ["DeadLetterConfig", "RetryPolicy", "State"],
  // SAM EventBridgeRule events: DLQ and retry policy (2021) are missing from spec 117.
  "AWS::Serverless::Function.EventBridgeRuleEvent": ["DeadLetterConfig", "RetryPolicy"],
};

/** SAM event `Type` → the spec's property type describing its `Properties`. */
const samEventTypes: Record<string, string> = {
  Schedule: "ScheduleEvent",
  EventBridgeRule: "EventBridgeRuleEvent",
  CloudWatchEvent: "CloudWatchEventEvent",
  DynamoDB: "DynamoDBEvent",
  SQS: "SQSEvent",
  SNS: "SNSEvent",
  Kinesis: "KinesisEvent",
  S3: "S3Event",
  Api: "ApiEvent",
  HttpApi: "HttpApiEvent",
};

export interface SpecProblem {
  path: string;
  problem: string;
}

function allowed(typeName: string, property: string): boolean {
  return newerThanSpec[typeName]?.includes(property) ?? false;
}

function checkObject(
  typeName: string,
  spec: TypeSpec,
  value: Json,
  path: string,
  problems: SpecProblem[],
): void {
  if (!isObject(value) || isIntrinsic(value)) return;
  const properties = spec.Properties ?? {};
  for (const [name, propertyValue] of Object.entries(value)) {
    const propertySpec = properties[name];
    if (propertySpec === undefined) {
      if (!allowed(typeName, name)) {
        problems.push({ path: `${path}.${name}`, problem: `${typeName} has no property ${name}` });
      }
      continue;
    }
    checkValue(typeName, propertySpec, propertyValue, `${path}.${name}`, problems);
  }
}

function propertyTypeName(owner: string, type: string): string {
  const resource = owner.split(".")[0] ?? owner;
  return `${resource}.${type}`;
}

function checkValue(
  owner: string,
  spec: PropertySpec,
  value: Json,
  path: string,
  problems: SpecProblem[],
): void {
  const nested = spec.Type === "List" || spec.Type === "Map" ? spec.ItemType : spec.Type;
  if (nested === undefined) return;
  const nestedName = propertyTypeName(owner, nested);
  const nestedSpec = specification.PropertyTypes[nestedName];
  if (nestedSpec?.Properties === undefined) return;
  if (spec.Type === "List" && Array.isArray(value)) {
    value.forEach((item, i) => {
      checkObject(nestedName, nestedSpec, item, `${path}[${i}]`, problems);
    });
  } else if (spec.Type === "Map" && isObject(value) && !isIntrinsic(value)) {
    for (const [key, item] of Object.entries(value)) {
      checkObject(nestedName, nestedSpec, item, `${path}.${key}`, problems);
    }
  } else {
    checkObject(nestedName, nestedSpec, value, path, problems);
  }
}

function checkSamEvents(events: Json, path: string, problems: SpecProblem[]): void {
  if (!isObject(events)) return;
  for (const [name, event] of Object.entries(events)) {
    if (!isObject(event) || typeof event.Type !== "string") continue;
    const specName = samEventTypes[event.Type];
    const eventSpec =
      specName === undefined
        ? undefined
        : specification.PropertyTypes[`AWS::Serverless::Function.${specName}`];
    if (eventSpec === undefined) {
      problems.push({ path: `${path}.${name}`, problem: `unknown SAM event type ${event.Type}` });
      continue;
    }
    checkObject(
      `AWS::Serverless::Function.${specName}`,
      eventSpec,
      event.Properties ?? {},
      `${path}.${name}.Properties`,
      problems,
    );
  }
}

export function checkResourceSpec(template: Template): SpecProblem[] {
  const problems: SpecProblem[] = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    const spec = specification.ResourceTypes[resource.Type];
    if (spec === undefined) {
      problems.push({ path: id, problem: `unknown resource type ${resource.Type}` });
      continue;
    }
    const properties = resource.Properties ?? {};
    for (const [name, propertySpec] of Object.entries(spec.Properties ?? {})) {
      const isSamCode = resource.Type === "AWS::Serverless::Function" && name === "CodeUri";
      if (propertySpec.Required && !(name in properties) && !isSamCode) {
        problems.push({ path: `${id}.Properties`, problem: `${resource.Type} requires ${name}` });
      }
    }
    if (resource.Type === "AWS::Serverless::Function") {
      const { Events, ...rest } = properties;
      checkObject(resource.Type, spec, rest, `${id}.Properties`, problems);
      if (Events !== undefined) checkSamEvents(Events, `${id}.Properties.Events`, problems);
    } else {
      checkObject(resource.Type, spec, properties, `${id}.Properties`, problems);
    }
  }
  return problems;
}

/** Allowlist entries that the spec has since learned: they should be removed. */
export function staleAllowlistEntries(): string[] {
  return Object.entries(newerThanSpec).flatMap(([typeName, properties]) => {
    const spec =
      specification.ResourceTypes[typeName] ?? specification.PropertyTypes[typeName] ?? {};
    return properties
      .filter((property) => spec.Properties?.[property] !== undefined)
      .map((property) => `${typeName}.${property}`);
  });
}
