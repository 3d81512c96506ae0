import {
  CreateServiceCommand,
  type CreateServiceCommandInput,
  ECSClient,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
} from "@aws-sdk/client-ecs";
import { toServiceInput } from "../stepfunctions/sdk-integration";
import type { JsonObject } from "../template/read";
import { type HostSize, wireCapacity } from "./capacity";
import type { Wiring } from "./context";
import type { AliasRewriter } from "./service-connect";

/**
 * The ECS resources, in the order CloudFormation creates them: clusters, task
 * definitions (revision 1 of each family, Service Connect aliases rewritten to their
 * local proxies), then services — through the real SDK against the edge.
 */

/** CloudFormation's property names where the ECS API uses a different word. */
const serviceRenames: Record<string, string> = {
  PlacementStrategies: "PlacementStrategy",
};
/** Properties that are CloudFormation-only or not modelled locally. */
const serviceDropped = new Set(["ServiceConnectConfiguration", "NetworkConfiguration"]);

/** A task definition's RegisterTaskDefinition input from its template properties (resolved). */
export function taskDefinitionInput(
  family: string,
  properties: JsonObject,
  rewriteAliases: AliasRewriter,
): RegisterTaskDefinitionCommandInput {
  const input = toServiceInput("ecs", properties) as Record<string, unknown>;
  input.family ??= family;
  for (const container of (input.containerDefinitions ?? []) as {
    environment?: { value?: string }[];
  }[]) {
    for (const variable of container.environment ?? []) {
      if (typeof variable.value === "string") variable.value = rewriteAliases(variable.value);
    }
  }
  return input as unknown as RegisterTaskDefinitionCommandInput;
}

/** A service's CreateService input from its template properties (resolved). */
export function serviceInput(logicalId: string, properties: JsonObject): CreateServiceCommandInput {
  const kept = Object.fromEntries(
    Object.entries(properties)
      .filter(([key]) => !serviceDropped.has(key))
      .map(([key, value]) => [serviceRenames[key] ?? key, value]),
  );
  const input = toServiceInput("ecs", kept) as Record<string, unknown>;
  input.serviceName ??= logicalId;
  return input as unknown as CreateServiceCommandInput;
}

export async function wireEcs(
  wiring: Wiring,
  rewriteAliases: AliasRewriter,
  hostSize: HostSize,
): Promise<void> {
  for (const [id] of wiring.resources("AWS::ECS::Cluster")) {
    wiring.cloud.ecs.ensureCluster(wiring.names.refs[id] as string);
  }
  // The hosts' group and capacity provider: services' strategies name the provider.
  await wireCapacity(wiring, hostSize);
  const ecs = new ECSClient(wiring.sdk);
  try {
    for (const [id] of wiring.resources("AWS::ECS::TaskDefinition")) {
      const family = `${wiring.names.refs["AWS::StackName"]}-${id}`;
      const input = taskDefinitionInput(family, wiring.properties(id), rewriteAliases);
      await ecs.send(new RegisterTaskDefinitionCommand(input));
    }
    for (const [id] of wiring.resources("AWS::ECS::Service")) {
      await ecs.send(new CreateServiceCommand(serviceInput(id, wiring.properties(id))));
    }
  } finally {
    ecs.destroy();
  }
}
