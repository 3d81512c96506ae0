import type {
  Compatibility,
  ContainerDefinition,
  DescribeTaskDefinitionResponse,
  ListTaskDefinitionFamiliesResponse,
  ListTaskDefinitionsResponse,
  RegisterTaskDefinitionResponse,
  TaskDefinitionPlacementConstraint,
} from "@aws-sdk/client-ecs";
import { taskDefinitionName } from "../../../functions/lib/ecs-names";
import { ecsErrors } from "../errors";
import type { EcsModel } from "../model/ecs-model";
import { taskDefinitionShape } from "../shapes";
import { type Fields, givenOnly, type Input, readExpression } from "./fields";
import { paginate } from "./paging";

const compatibilities: readonly Compatibility[] = [
  "EC2",
  "FARGATE",
  "EXTERNAL",
  "MANAGED_INSTANCES",
];

export function taskDefinitionOperations({ taskDefinitions }: EcsModel) {
  return {
    RegisterTaskDefinition: (fields: Fields): RegisterTaskDefinitionResponse => {
      const placementConstraints = fields.records("placementConstraints").map(memberOfConstraint);
      const definition = taskDefinitions.register({
        family: fields.string("family") ?? "",
        containerDefinitions: fields.each("containerDefinitions", containerDefinition),
        networkMode: fields.string("networkMode"),
        cpu: fields.string("cpu"),
        memory: fields.string("memory"),
        placementConstraints,
        memberOf: placementConstraints.map((constraint) =>
          readExpression(constraint.expression ?? "", ecsErrors.client),
        ),
        requiresCompatibilities: (fields.strings("requiresCompatibilities") ?? []).map(
          compatibility,
        ),
        taskRoleArn: fields.string("taskRoleArn"),
        executionRoleArn: fields.string("executionRoleArn"),
        tags: fields.tags(),
      });
      return { taskDefinition: taskDefinitionShape(definition), tags: definition.tags };
    },

    ListTaskDefinitions: (fields: Fields): ListTaskDefinitionsResponse => {
      const status = oneOf(
        fields,
        "status",
        ["ACTIVE", "INACTIVE", "DELETE_IN_PROGRESS"],
        "ACTIVE",
      );
      const sort = oneOf(fields, "sort", ["ASC", "DESC"], "ASC");
      const descending = sort === "DESC";
      const familyPrefix = fields.string("familyPrefix");
      const arns = taskDefinitions.list(status, familyPrefix).map((definition) => definition.arn);
      // Families by name, revisions by number (":10" after ":9"); DESC reverses both.
      const order = (a: string, b: string) => {
        const [x, y] = [taskDefinitionName(a), taskDefinitionName(b)];
        const byFamily = x.family < y.family ? -1 : x.family > y.family ? 1 : 0;
        const compared = byFamily !== 0 ? byFamily : (x.revision ?? 0) - (y.revision ?? 0);
        return descending ? -compared : compared;
      };
      const page = paginate(arns, fields, {
        operation: "ListTaskDefinitions",
        filters: { status, familyPrefix, sort },
        defaultMax: 100,
        order,
      });
      return { taskDefinitionArns: page.items, nextToken: page.nextToken };
    },

    ListTaskDefinitionFamilies: (fields: Fields): ListTaskDefinitionFamiliesResponse => {
      const status = oneOf(fields, "status", ["ACTIVE", "INACTIVE", "ALL"], "ALL");
      const familyPrefix = fields.string("familyPrefix");
      const page = paginate(taskDefinitions.familyNames(status, familyPrefix), fields, {
        operation: "ListTaskDefinitionFamilies",
        filters: { status, familyPrefix },
        defaultMax: 100,
      });
      return { families: page.items, nextToken: page.nextToken };
    },

    DescribeTaskDefinition: (fields: Fields): DescribeTaskDefinitionResponse => {
      const definition = taskDefinitions.find(fields.requiredString("taskDefinition"));
      if (definition === undefined) throw ecsErrors.client("Unable to describe task definition.");
      return {
        taskDefinition: taskDefinitionShape(definition),
        ...(fields.includesTags() ? { tags: definition.tags } : {}),
      };
    },
  };
}

/**
 * A container definition with the fields the local cloud acts on checked; the others
 * are kept as given, for DescribeTaskDefinition to echo.
 */
function containerDefinition(fields: Fields, given: Input): ContainerDefinition {
  return {
    ...(given as ContainerDefinition),
    ...givenOnly({
      name: fields.string("name"),
      image: fields.string("image"),
      essential: fields.boolean("essential"),
      cpu: fields.integer("cpu"),
      memory: fields.integer("memory"),
      memoryReservation: fields.integer("memoryReservation"),
      stopTimeout: fields.integer("stopTimeout"),
    }),
    environment: fields
      .records("environment")
      .flatMap((variable) =>
        typeof variable.name === "string"
          ? [{ name: variable.name, value: String(variable.value ?? "") }]
          : [],
      ),
    portMappings: fields.each("portMappings", (port) =>
      givenOnly({
        containerPort: port.integer("containerPort"),
        hostPort: port.integer("hostPort"),
        protocol: port.string("protocol") === "udp" ? ("udp" as const) : ("tcp" as const),
      }),
    ),
  };
}

function memberOfConstraint(constraint: Input): TaskDefinitionPlacementConstraint {
  if (constraint.type !== "memberOf" || typeof constraint.expression !== "string") {
    throw ecsErrors.client(
      "Task definition placement constraints must be of type memberOf with an expression.",
    );
  }
  return { type: "memberOf", expression: constraint.expression };
}

function compatibility(value: string): Compatibility {
  const known = compatibilities.find((name) => name === value);
  if (known === undefined) {
    throw ecsErrors.client(`requiresCompatibilities must be among ${compatibilities.join(", ")}.`);
  }
  return known;
}

/** An enum field: absent takes `fallback`; a value outside `allowed` is ECS's InvalidParameterException. */
function oneOf<T extends string>(
  fields: Fields,
  name: string,
  allowed: readonly T[],
  fallback: T,
): T {
  const value = fields.string(name);
  if (value === undefined) return fallback;
  const known = allowed.find((option) => option === value);
  if (known === undefined) {
    throw ecsErrors.invalidParameter(`${name} must be one of ${allowed.join(", ")}.`);
  }
  return known;
}
