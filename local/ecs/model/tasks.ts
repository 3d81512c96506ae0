import type { EcsArns } from "../arns";
import type { ClusterRecord, ContainerInstanceRecord, ServiceRecord, TaskRecord } from "./records";

/** ListTasks' filters; `desiredStatus` PENDING means desired RUNNING and not started yet. */
export interface TaskFilter {
  instance?: ContainerInstanceRecord;
  service?: ServiceRecord;
  family?: string;
  startedBy?: string;
  desiredStatus: "RUNNING" | "PENDING" | "STOPPED";
}

/** A cluster's tasks (STOPPED ones until they are pruned) matching the filter. */
export function tasksMatching(cluster: ClusterRecord, filter: TaskFilter): TaskRecord[] {
  const matches: TaskRecord[] = [];
  for (const task of cluster.tasks.values()) {
    if (filter.instance !== undefined && task.instance !== filter.instance) continue;
    if (filter.service !== undefined && task.service !== filter.service) continue;
    if (filter.family !== undefined && task.taskDefinition.family !== filter.family) continue;
    if (filter.startedBy !== undefined && task.startedBy !== filter.startedBy) continue;
    const wanted =
      filter.desiredStatus === "PENDING"
        ? task.desiredStatus === "RUNNING" && task.lastStatus === "PENDING"
        : task.desiredStatus === filter.desiredStatus;
    if (wanted) matches.push(task);
  }
  return matches;
}

/** The task an ID or ARN denotes in the cluster. */
export function findTask(
  arns: EcsArns,
  cluster: ClusterRecord,
  ref: string,
): TaskRecord | undefined {
  if (ref.startsWith("arn:")) return cluster.tasks.get(ref);
  return cluster.tasks.get(arns.task(cluster.name, ref));
}
