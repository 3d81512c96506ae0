import type {
  DescribeTasksResponse,
  ListTasksResponse,
  StopTaskResponse,
} from "@aws-sdk/client-ecs";
import { ecsErrors } from "../errors";
import type { EcsModel } from "../model/ecs-model";
import { findTask, tasksMatching } from "../model/tasks";
import { taskShape } from "../shapes";
import type { Fields } from "./fields";
import { describeEach, paginate } from "./paging";

export function taskOperations({ arns, clusters, instances, services, tasks }: EcsModel) {
  return {
    ListTasks: (fields: Fields): ListTasksResponse => {
      const cluster = clusters.active(fields.string("cluster"));
      const instanceRef = fields.string("containerInstance");
      const instance = instanceRef === undefined ? undefined : instances.find(cluster, instanceRef);
      if (instanceRef !== undefined && instance === undefined) {
        throw ecsErrors.invalidParameter("The referenced container instance was not found.");
      }
      const serviceRef = fields.string("serviceName");
      const service = serviceRef === undefined ? undefined : services.find(cluster, serviceRef);
      if (serviceRef !== undefined && service === undefined) throw ecsErrors.serviceNotFound();
      const desiredStatus = fields.string("desiredStatus") ?? "RUNNING";
      if (
        desiredStatus !== "RUNNING" &&
        desiredStatus !== "PENDING" &&
        desiredStatus !== "STOPPED"
      ) {
        throw ecsErrors.invalidParameter("desiredStatus must be one of RUNNING, PENDING, STOPPED.");
      }
      const launchType = fields.string("launchType");
      const family = fields.string("family");
      const startedBy = fields.string("startedBy");
      // Every local task is an EC2 task.
      const matches =
        launchType === undefined || launchType === "EC2"
          ? tasksMatching(cluster, { instance, service, family, startedBy, desiredStatus })
          : [];
      const page = paginate(
        matches.map((task) => task.arn),
        fields,
        {
          operation: "ListTasks",
          filters: {
            cluster: cluster.arn,
            containerInstance: instance?.arn,
            serviceName: service?.arn,
            family,
            startedBy,
            desiredStatus,
            launchType,
          },
          defaultMax: 100,
        },
      );
      return { taskArns: page.items, nextToken: page.nextToken };
    },

    DescribeTasks: (fields: Fields): DescribeTasksResponse => {
      const cluster = clusters.active(fields.string("cluster"));
      const { found, failures } = describeEach(
        "tasks",
        fields.strings("tasks"),
        100,
        (ref) => findTask(arns, cluster, ref),
        (task) => taskShape(task, fields.includesTags()),
      );
      return { tasks: found, failures };
    },

    StopTask: (fields: Fields): StopTaskResponse => {
      const cluster = clusters.active(fields.string("cluster"));
      const task = findTask(arns, cluster, fields.requiredString("task"));
      if (task === undefined)
        throw ecsErrors.invalidParameter("The referenced task was not found.");
      tasks.stop(task, fields.string("reason") ?? "Task stopped by user", "UserInitiated");
      return { task: taskShape(task, false) };
    },
  };
}
