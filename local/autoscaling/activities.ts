import { randomUUID } from "node:crypto";

/** The status codes this emulation reaches, of the service model's ScalingActivityStatusCode. */
export type ActivityStatus = "InProgress" | "MidLifecycleAction" | "Successful" | "Failed";

/** A scaling activity as DescribeScalingActivities reports it. */
export interface ActivityRecord {
  activityId: string;
  groupName: string;
  groupArn: string;
  description: string;
  cause: string;
  startTime: Date;
  endTime?: Date;
  statusCode: ActivityStatus;
  statusMessage?: string;
  progress: number;
  details: string;
}

/** How AWS dates an event inside a Cause: ISO 8601 to the second, UTC. */
export function causeTime(now: number): string {
  return `${new Date(now).toISOString().slice(0, 19)}Z`;
}

/**
 * Why the group's desired capacity moved, in the words AWS starts a Cause with; the
 * activities that follow (launches, terminations) carry it.
 */
export const desiredCapacityCauses = {
  setDesiredCapacity: (now: number, from: number, to: number) =>
    `At ${causeTime(now)} a user request explicitly set group desired capacity changing the desired capacity from ${from} to ${to}.`,
  update: (now: number, sizes: { min: number; max: number; desired: number }, from: number) =>
    `At ${causeTime(now)} a user request update of AutoScalingGroup constraints to min: ${sizes.min}, max: ${sizes.max}, desired: ${sizes.desired} changing the desired capacity from ${from} to ${sizes.desired}.`,
  created: (now: number, desired: number) =>
    `At ${causeTime(now)} a user request created an AutoScalingGroup changing the desired capacity from 0 to ${desired}.`,
};

export function launchCause(reason: string, now: number, from: number, to: number): string {
  return `${reason}  At ${causeTime(now)} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from ${from} to ${to}.`;
}

export function scaleInCause(
  reason: string,
  now: number,
  from: number,
  to: number,
  instanceId: string,
): string {
  return `${reason}  At ${causeTime(now)} an instance was taken out of service in response to a difference between desired and actual capacity, shrinking the capacity from ${from} to ${to}.  At ${causeTime(now)} instance ${instanceId} was selected for termination.`;
}

export function userTerminationCause(
  now: number,
  instanceId: string,
  capacity: { from: number; to: number } | undefined,
): string {
  const shrinking =
    capacity === undefined
      ? ""
      : `, shrinking the capacity from ${capacity.from} to ${capacity.to}`;
  return `At ${causeTime(now)} instance ${instanceId} was taken out of service in response to a user request${shrinking}.`;
}

export function newActivity(
  group: { name: string; arn: string },
  description: string,
  cause: string,
  now: number,
  availabilityZone: string,
): ActivityRecord {
  return {
    activityId: randomUUID(),
    groupName: group.name,
    groupArn: group.arn,
    description,
    cause,
    startTime: new Date(now),
    statusCode: "InProgress",
    progress: 0,
    details: JSON.stringify({ "Availability Zone": availabilityZone }),
  };
}

export function finishActivity(
  activity: ActivityRecord,
  now: number,
  outcome: { statusCode: "Successful" } | { statusCode: "Failed"; statusMessage: string },
): void {
  activity.statusCode = outcome.statusCode;
  if (outcome.statusCode === "Failed") activity.statusMessage = outcome.statusMessage;
  activity.progress = 100;
  activity.endTime = new Date(now);
}
