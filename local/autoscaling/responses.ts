import { offsetPage } from "../edge/paging";
import {
  invalidMember,
  members,
  type QueryApi,
  type QueryParams,
  timestamp,
  type XmlObject,
} from "../edge/query-protocol";
import type { ActivityRecord } from "./activities";
import { autoScalingErrors } from "./errors";
import type { AutoScaling } from "./model";
import type { GroupRecord, InstanceRecord } from "./records";

/**
 * EC2 Auto Scaling on the wire: reads each action's query parameters, calls the model,
 * and shapes the `…Result` the service model (botocore's autoscaling/2011-01-01, as
 * `@aws-sdk/client-auto-scaling` deserializes it) declares.
 */

const namespace = "http://autoscaling.amazonaws.com/doc/2011-01-01/";

/** The edge route for the model. */
export function autoScalingApi(model: AutoScaling): QueryApi {
  const actions: Record<string, (params: QueryParams) => XmlObject | undefined> = {
    DescribeAutoScalingGroups: (params) => describeAutoScalingGroups(model, params),
    SetDesiredCapacity: (params) => {
      model.setDesiredCapacity(
        params.requiredString("AutoScalingGroupName"),
        nonNegative(params.requiredInteger("DesiredCapacity"), "DesiredCapacity"),
        params.boolean("HonorCooldown") ?? false,
      );
      return undefined;
    },
    UpdateAutoScalingGroup: (params) => {
      model.updateGroup(params.requiredString("AutoScalingGroupName"), {
        minSize: params.integer("MinSize"),
        maxSize: params.integer("MaxSize"),
        desiredCapacity: params.integer("DesiredCapacity"),
        defaultCooldownSeconds: params.integer("DefaultCooldown"),
        newInstancesProtectedFromScaleIn: params.boolean("NewInstancesProtectedFromScaleIn"),
      });
      return undefined;
    },
    TerminateInstanceInAutoScalingGroup: (params) => ({
      Activity: activityShape(
        model.terminateInstance(
          params.requiredString("InstanceId"),
          params.requiredBoolean("ShouldDecrementDesiredCapacity"),
        ),
      ),
    }),
    DescribeScalingActivities: (params) => describeScalingActivities(model, params),
    SetInstanceProtection: (params) => {
      model.setInstanceProtection(
        params.requiredString("AutoScalingGroupName"),
        params.strings("InstanceIds") ?? [],
        params.requiredBoolean("ProtectedFromScaleIn"),
      );
      return {};
    },
  };
  return {
    service: "autoscaling",
    version: "2011-01-01",
    namespace,
    handle: async (action, params) => {
      const run = actions[action];
      if (run === undefined) throw autoScalingErrors.invalidAction(action);
      return run(params);
    },
  };
}

function nonNegative(value: number, name: string): number {
  if (value < 0) {
    throw invalidMember(String(value), name, "Member must have value greater than or equal to 0");
  }
  return value;
}

/** `MaxRecords` (1..100) a page; a `NextToken` this operation did not issue is InvalidNextToken. */
function page<T>(items: readonly T[], params: QueryParams, defaultSize: number, action: string) {
  const size = params.integer("MaxRecords") ?? defaultSize;
  if (size < 1 || size > 100) {
    throw invalidMember(String(size), "MaxRecords", "Member must have value between 1 and 100");
  }
  return offsetPage(items, {
    size,
    token: params.string("NextToken"),
    scope: action,
    refuse: autoScalingErrors.invalidNextToken,
  });
}

function describeAutoScalingGroups(model: AutoScaling, params: QueryParams): XmlObject {
  const names = params.strings("AutoScalingGroupNames");
  let groups = model.allGroups();
  if (names !== undefined && names.length > 0) {
    groups = groups.filter((group) => names.includes(group.name));
  }
  for (const filter of params.structs("Filters")) {
    const name = filter.requiredString("Name");
    const values = filter.strings("Values") ?? [];
    groups = groups.filter((group) => tagFilterMatches(group, name, values));
  }
  const includeInstances = params.boolean("IncludeInstances") ?? true;
  const { items, nextToken } = page(groups, params, 50, "DescribeAutoScalingGroups");
  return {
    AutoScalingGroups: members(items.map((group) => groupShape(group, includeInstances))),
    NextToken: nextToken,
  };
}

function tagFilterMatches(group: GroupRecord, name: string, values: readonly string[]): boolean {
  if (name === "tag-key") return group.tags.some((tag) => values.includes(tag.key));
  if (name === "tag-value") return group.tags.some((tag) => values.includes(tag.value));
  if (name.startsWith("tag:")) {
    const key = name.slice(4);
    return group.tags.some((tag) => tag.key === key && values.includes(tag.value));
  }
  throw autoScalingErrors.validation(
    `Filter type ${name} is not correct. Allowed Filter types are: tag-key, tag-value and tag:<key>`,
  );
}

function describeScalingActivities(model: AutoScaling, params: QueryParams): XmlObject {
  const ids = params.strings("ActivityIds");
  let activities = model.describeActivities(params.string("AutoScalingGroupName"));
  if (ids !== undefined && ids.length > 0) {
    activities = activities.filter((activity) => ids.includes(activity.activityId));
  }
  const { items, nextToken } = page(activities, params, 100, "DescribeScalingActivities");
  return { Activities: members(items.map(activityShape)), NextToken: nextToken };
}

function groupShape(group: GroupRecord, includeInstances: boolean): XmlObject {
  return {
    AutoScalingGroupName: group.name,
    AutoScalingGroupARN: group.arn,
    LaunchTemplate: launchTemplateShape(group.launchTemplate),
    MinSize: group.minSize,
    MaxSize: group.maxSize,
    DesiredCapacity: group.desiredCapacity,
    DefaultCooldown: group.defaultCooldownSeconds,
    AvailabilityZones: members(group.availabilityZones),
    LoadBalancerNames: members([]),
    TargetGroupARNs: members([]),
    HealthCheckType: "EC2",
    HealthCheckGracePeriod: 0,
    Instances: includeInstances ? members(group.instances.map(instanceShape)) : undefined,
    CreatedTime: timestamp(group.createdTime),
    SuspendedProcesses: members([]),
    VPCZoneIdentifier: group.vpcZoneIdentifier,
    EnabledMetrics: members([]),
    Tags: members(
      group.tags.map((tag) => ({
        ResourceId: group.name,
        ResourceType: "auto-scaling-group",
        Key: tag.key,
        Value: tag.value,
        PropagateAtLaunch: tag.propagateAtLaunch,
      })),
    ),
    TerminationPolicies: members(["Default"]),
    NewInstancesProtectedFromScaleIn: group.newInstancesProtectedFromScaleIn,
    CapacityRebalance: false,
  };
}

function launchTemplateShape(template: GroupRecord["launchTemplate"]): XmlObject {
  return {
    LaunchTemplateId: template.launchTemplateId,
    LaunchTemplateName: template.launchTemplateName,
    Version: template.version,
  };
}

function instanceShape(instance: InstanceRecord): XmlObject {
  return {
    InstanceId: instance.instanceId,
    InstanceType: instance.instanceType,
    AvailabilityZone: instance.availabilityZone,
    LifecycleState: instance.lifecycleState,
    HealthStatus: instance.healthStatus,
    LaunchTemplate: launchTemplateShape(instance.launchTemplate),
    ProtectedFromScaleIn: instance.protectedFromScaleIn,
  };
}

function activityShape(activity: ActivityRecord): XmlObject {
  return {
    ActivityId: activity.activityId,
    AutoScalingGroupName: activity.groupName,
    Description: activity.description,
    Cause: activity.cause,
    StartTime: timestamp(activity.startTime),
    EndTime: activity.endTime === undefined ? undefined : timestamp(activity.endTime),
    StatusCode: activity.statusCode,
    StatusMessage: activity.statusMessage,
    Progress: activity.progress,
    Details: activity.details,
    AutoScalingGroupARN: activity.groupArn,
  };
}
