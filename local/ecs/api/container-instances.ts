import type {
  DeregisterContainerInstanceResponse,
  DescribeContainerInstancesResponse,
  Failure,
  ListContainerInstancesResponse,
  RegisterContainerInstanceResponse,
  UpdateContainerInstancesStateResponse,
} from "@aws-sdk/client-ecs";
import { ecsErrors } from "../errors";
import type { EcsModel } from "../model/ecs-model";
import { containerInstanceShape, type DescribedContainerInstance } from "../shapes";
import { type Fields, type Input, isRecord, readExpression } from "./fields";
import { describeEach, paginate } from "./paging";

const listableStatuses = [
  "ACTIVE",
  "DRAINING",
  "REGISTERING",
  "DEREGISTERING",
  "REGISTRATION_FAILED",
] as const;

export function containerInstanceOperations({ clusters, instances }: EcsModel) {
  const registered = (fields: Fields, ref: string) => {
    const instance = instances.find(clusters.active(fields.string("cluster")), ref);
    if (instance === undefined || instance.status === "INACTIVE") {
      throw ecsErrors.invalidParameter("The referenced container instance was not found.");
    }
    return instance;
  };

  return {
    /** What an instance's agent sends when it starts. */
    RegisterContainerInstance: (fields: Fields): RegisterContainerInstanceResponse => {
      const cluster = clusters.active(fields.string("cluster"));
      const identity = identityDocument(fields.string("instanceIdentityDocument"));
      const total = new Map(fields.records("totalResources").map((r) => [String(r.name), r]));
      const resource = (name: string) => {
        const value = total.get(name)?.integerValue;
        return typeof value === "number" ? value : undefined;
      };
      const attributes: Record<string, string | undefined> = {};
      for (const attribute of fields.records("attributes")) {
        if (typeof attribute.name !== "string" || attribute.name === "") {
          throw ecsErrors.invalidParameter("Attribute names must be non-empty strings.");
        }
        attributes[attribute.name] =
          typeof attribute.value === "string" ? attribute.value : undefined;
      }
      const text = (value: unknown) => (typeof value === "string" ? value : undefined);
      const instance = instances.register(cluster, {
        ec2InstanceId: text(identity.instanceId),
        instanceType: text(identity.instanceType),
        availabilityZone: text(identity.availabilityZone),
        cpu: resource("CPU"),
        memory: resource("MEMORY"),
        attributes,
        tags: fields.tags(),
      });
      return { containerInstance: containerInstanceShape(instance, false) };
    },

    DeregisterContainerInstance: (fields: Fields): DeregisterContainerInstanceResponse => {
      const instance = registered(fields, fields.requiredString("containerInstance"));
      instances.deregister(instance, fields.boolean("force") === true);
      return { containerInstance: containerInstanceShape(instance, false) };
    },

    UpdateContainerInstancesState: (fields: Fields): UpdateContainerInstancesStateResponse => {
      const cluster = clusters.active(fields.string("cluster"));
      const refs = fields.strings("containerInstances") ?? [];
      if (refs.length === 0 || refs.length > 10) {
        throw ecsErrors.invalidParameter("containerInstances must have between 1 and 10 items.");
      }
      const status = fields.requiredString("status");
      if (status !== "ACTIVE" && status !== "DRAINING") {
        throw ecsErrors.invalidParameter(
          "Container instance status must be one of ACTIVE, DRAINING.",
        );
      }
      const containerInstances: DescribedContainerInstance[] = [];
      const failures: Failure[] = [];
      for (const ref of refs) {
        const instance = instances.find(cluster, ref);
        if (instance === undefined || instance.status === "INACTIVE") {
          failures.push({ arn: ref, reason: "MISSING" });
          continue;
        }
        instances.setStatus(instance, status);
        containerInstances.push(containerInstanceShape(instance, false));
      }
      return { containerInstances, failures };
    },

    ListContainerInstances: (fields: Fields): ListContainerInstancesResponse => {
      const cluster = clusters.active(fields.string("cluster"));
      const status = fields.string("status");
      if (status !== undefined && !isListable(status)) {
        throw ecsErrors.invalidParameter(`status must be one of ${listableStatuses.join(", ")}.`);
      }
      const source = fields.string("filter");
      const filter =
        source === undefined ? undefined : readExpression(source, ecsErrors.invalidParameter);
      // The local instances are never REGISTERING, DEREGISTERING or REGISTRATION_FAILED.
      const matches =
        status === undefined || status === "ACTIVE" || status === "DRAINING"
          ? instances.matching(cluster, status, filter)
          : [];
      const page = paginate(
        matches.map((instance) => instance.arn),
        fields,
        {
          operation: "ListContainerInstances",
          filters: { cluster: cluster.arn, status, filter: source },
          defaultMax: 100,
        },
      );
      return { containerInstanceArns: page.items, nextToken: page.nextToken };
    },

    DescribeContainerInstances: (fields: Fields): DescribeContainerInstancesResponse => {
      const include = fields.include(["TAGS", "CONTAINER_INSTANCE_HEALTH"] as const);
      const cluster = clusters.active(fields.string("cluster"));
      const { found, failures } = describeEach(
        "containerInstances",
        fields.strings("containerInstances"),
        100,
        (ref) => instances.find(cluster, ref),
        (instance) =>
          containerInstanceShape(instance, include.has("TAGS"), {
            health: include.has("CONTAINER_INSTANCE_HEALTH"),
          }),
      );
      return { containerInstances: found, failures };
    },
  };
}

function isListable(status: string): status is (typeof listableStatuses)[number] {
  return (listableStatuses as readonly string[]).includes(status);
}

function identityDocument(document: string | undefined): Input {
  if (document === undefined) return {};
  try {
    const parsed = JSON.parse(document) as unknown;
    return isRecord(parsed) ? parsed : {};
  } catch {
    throw ecsErrors.client("instanceIdentityDocument is not valid JSON.");
  }
}
