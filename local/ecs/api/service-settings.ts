import type { LoadBalancer, PlacementConstraint } from "@aws-sdk/client-ecs";
import type { Expression } from "../../../functions/lib/placement/query-language";
import type { PlacementStrategy } from "../../../functions/lib/placement/task-placement";
import { ecsErrors } from "../errors";
import type {
  CapacityProviderStrategyItem,
  DeploymentConfiguration,
  ServicePlacement,
} from "../model/records";
import { Fields, givenOnly, type Input, readExpression } from "./fields";

/** CreateService's and UpdateService's placementConstraints and placementStrategy. */
export function readPlacement(fields: Fields): ServicePlacement {
  const constraints = fields.records("placementConstraints");
  if (constraints.length > 10) {
    throw ecsErrors.invalidParameter("placementConstraints can have at most 10 items.");
  }
  const memberOf: Expression[] = [];
  const placementConstraints: PlacementConstraint[] = [];
  let distinctInstance = false;
  for (const constraint of constraints) {
    if (constraint.type === "distinctInstance") {
      distinctInstance = true;
      placementConstraints.push(
        typeof constraint.expression === "string"
          ? { type: "distinctInstance", expression: constraint.expression }
          : { type: "distinctInstance" },
      );
    } else if (constraint.type === "memberOf" && typeof constraint.expression === "string") {
      memberOf.push(readExpression(constraint.expression, ecsErrors.invalidParameter));
      placementConstraints.push({ type: "memberOf", expression: constraint.expression });
    } else {
      throw ecsErrors.invalidParameter(
        "Placement constraints must be distinctInstance or memberOf with an expression.",
      );
    }
  }
  return {
    distinctInstance,
    memberOf,
    placementConstraints,
    placementStrategy: fields.records("placementStrategy").map(strategy),
  };
}

function strategy(given: Input): PlacementStrategy {
  const type = given.type;
  const field = typeof given.field === "string" ? given.field : undefined;
  if (type === "random") return { type };
  if (type === "binpack" && (field === "cpu" || field === "memory")) return { type, field };
  if (type === "spread" && field !== undefined) {
    return { type, field: field === "host" ? "instanceId" : field };
  }
  throw ecsErrors.invalidParameter(`Invalid placement strategy ${JSON.stringify(given)}.`);
}

/** A deploymentConfiguration: what is given over `current` (or ECS's defaults), checked. */
export function readDeploymentConfiguration(
  given: Input | undefined,
  current?: DeploymentConfiguration,
): DeploymentConfiguration {
  const fields = new Fields(given ?? {});
  const breaker = fields.record("deploymentCircuitBreaker");
  const configuration: DeploymentConfiguration = {
    maximumPercent: fields.integer("maximumPercent") ?? current?.maximumPercent ?? 200,
    minimumHealthyPercent:
      fields.integer("minimumHealthyPercent") ?? current?.minimumHealthyPercent ?? 100,
    deploymentCircuitBreaker:
      breaker === undefined
        ? (current?.deploymentCircuitBreaker ?? { enable: false, rollback: false })
        : { enable: breaker.enable === true, rollback: breaker.rollback === true },
  };
  if (configuration.maximumPercent < 100 || configuration.minimumHealthyPercent < 0) {
    throw ecsErrors.invalidParameter(
      "maximumPercent must be at least 100 and minimumHealthyPercent at least 0.",
    );
  }
  if (configuration.minimumHealthyPercent >= configuration.maximumPercent) {
    throw ecsErrors.invalidParameter("minimumHealthyPercent must be less than maximumPercent.");
  }
  return configuration;
}

/** The service's load balancers: which container and port each target group reaches. */
export function readLoadBalancers(fields: Fields): LoadBalancer[] {
  return fields.each("loadBalancers", (balancer) =>
    givenOnly({
      targetGroupArn: balancer.string("targetGroupArn"),
      loadBalancerName: balancer.string("loadBalancerName"),
      containerName: balancer.string("containerName"),
      containerPort: balancer.integer("containerPort"),
    }),
  );
}

/**
 * A capacityProviderStrategy as CreateService and PutClusterCapacityProviders take it;
 * `check` refuses providers the cluster does not have. Not with a launchType.
 */
export function readCapacityProviderStrategy(
  fields: Fields,
  check: (strategy: CapacityProviderStrategyItem[]) => void,
  name = "capacityProviderStrategy",
): CapacityProviderStrategyItem[] {
  const strategy = fields.each(name, (item) =>
    givenOnly({
      capacityProvider: item.requiredString("capacityProvider"),
      weight: item.integer("weight"),
      base: item.integer("base"),
    }),
  );
  if (strategy.length > 0 && fields.string("launchType") !== undefined) {
    throw ecsErrors.invalidParameter(
      "Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.",
    );
  }
  check(strategy);
  return strategy;
}

/** CreateService's launchType: EC2 (the only one local hosts run), or none given. */
export function readLaunchType(fields: Fields): { launchType?: "EC2" } {
  const launchType = fields.string("launchType");
  if (launchType === undefined) return {};
  if (launchType !== "EC2") {
    throw ecsErrors.invalidParameter(
      `The local cloud runs the EC2 launch type only (its container instances), not ${launchType}.`,
    );
  }
  return { launchType };
}

/** A desiredCount as given: at least 0. */
export function readDesiredCount(fields: Fields): number | undefined {
  const desiredCount = fields.integer("desiredCount");
  if (desiredCount !== undefined && desiredCount < 0) {
    throw ecsErrors.invalidParameter("desiredCount must be at least 0.");
  }
  return desiredCount;
}
