import { AwsError } from "../../edge/errors";
import { ecsErrors } from "../errors";
import type { ContainerInstances } from "./container-instances";
import type { ClusterRecord, ContainerInstanceRecord } from "./records";

/** One attribute on a container instance, as PutAttributes names it. */
export interface AttributeInput {
  name: string;
  value?: string;
  targetId: string;
}

export interface ListedAttribute {
  name: string;
  value?: string;
  instance: ContainerInstanceRecord;
}

// The ECS API reference's rules for names and values.
const namePattern = /^[A-Za-z0-9_\-/\\.]{1,128}$/;
const valuePattern = /^[A-Za-z0-9_\-.@/\\: ]{1,128}$/;

/**
 * Container instance attributes: the built-in `ecs.*` ones the agent registers and the
 * custom ones PutAttributes adds (placement reads them through `attribute:` in memberOf;
 * a controller may keep its own state there). PutAttributes takes at most 10 at a time.
 */
export class Attributes {
  constructor(
    private readonly deps: {
      instances: ContainerInstances;
      /** An attribute changed: memberOf placement may now see the instance differently. */
      changed: () => void;
    },
  ) {}

  put(cluster: ClusterRecord, attributes: readonly AttributeInput[]): ListedAttribute[] {
    const resolved = this.resolve(cluster, attributes);
    for (const { name, value } of resolved) {
      if (!namePattern.test(name)) {
        throw ecsErrors.invalidParameter(
          `Attribute name ${name} is invalid: 1 to 128 letters, numbers, hyphens, underscores, forward slashes, back slashes or periods.`,
        );
      }
      if (value !== undefined && (!valuePattern.test(value) || value.trim() !== value)) {
        throw ecsErrors.invalidParameter(
          `Attribute value ${value} is invalid: 1 to 128 letters, numbers, hyphens, underscores, periods, at signs, forward slashes, back slashes, colons or spaces, not starting or ending with a space.`,
        );
      }
    }
    for (const { name, value, instance } of resolved) instance.attributes.set(name, value);
    this.deps.changed();
    return resolved;
  }

  delete(cluster: ClusterRecord, attributes: readonly AttributeInput[]): ListedAttribute[] {
    const resolved = this.resolve(cluster, attributes);
    for (const { name, instance } of resolved) instance.attributes.delete(name);
    this.deps.changed();
    return resolved;
  }

  /** Every attribute of the cluster's registered instances, optionally of one name (and value). */
  list(cluster: ClusterRecord, name?: string, value?: string): ListedAttribute[] {
    const listed: ListedAttribute[] = [];
    for (const instance of cluster.instances.values()) {
      if (instance.status === "INACTIVE") continue;
      for (const [attributeName, attributeValue] of instance.attributes) {
        if (name !== undefined && attributeName !== name) continue;
        if (value !== undefined && attributeValue !== value) continue;
        listed.push({ name: attributeName, value: attributeValue, instance });
      }
    }
    return listed;
  }

  private resolve(
    cluster: ClusterRecord,
    attributes: readonly AttributeInput[],
  ): ListedAttribute[] {
    if (attributes.length > 10) {
      throw new AwsError(
        "AttributeLimitExceededException",
        "You can apply up to 10 custom attributes for each resource.",
      );
    }
    return attributes.map(({ name, value, targetId }) => {
      const instance = this.deps.instances.find(cluster, targetId);
      if (instance === undefined || instance.status === "INACTIVE") {
        throw new AwsError("TargetNotFoundException", `Could not find ${targetId}.`);
      }
      return { name, value, instance };
    });
  }
}
