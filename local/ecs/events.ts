import { envelope, type LocalEventBus } from "../eventbridge/bus";
import type {
  ContainerInstanceRecord,
  DeploymentRecord,
  ServiceRecord,
  TaskRecord,
} from "./model/records";
import { containerInstanceFields, taskShape, withDates } from "./shapes";

const iso = (date: Date) => date.toISOString();

/**
 * The EventBridge events ECS sends (source `aws.ecs`), in the shapes AWS documents:
 * container instance and task state changes, service actions and deployment state
 * changes. A resource's `version` counts its state change events, as on AWS.
 */
export class EcsEvents {
  private readonly resourcesChanged = new Set<ContainerInstanceRecord>();

  constructor(
    private readonly bus: LocalEventBus,
    private readonly region: string,
    private readonly accountId: string,
  ) {}

  instanceChanged(instance: ContainerInstanceRecord): void {
    this.resourcesChanged.delete(instance);
    instance.version++;
    this.publish("ECS Container Instance State Change", [instance.arn], () => ({
      ...withDates(containerInstanceFields(instance), iso),
      clusterArn: instance.cluster.arn,
      accountType: "ec2_instance",
      updatedAt: new Date().toISOString(),
    }));
  }

  /**
   * Placing or stopping a task changes an instance's remaining resources, which AWS
   * reports as a container instance state change too. Changes within one tick are
   * reported once per instance, so a pass placing 10 tasks on a host sends one event.
   */
  instanceResourcesChanged(instance: ContainerInstanceRecord): void {
    if (this.resourcesChanged.size === 0) {
      setImmediate(() => {
        for (const changed of [...this.resourcesChanged]) this.instanceChanged(changed);
      });
    }
    this.resourcesChanged.add(instance);
  }

  taskChanged(task: TaskRecord): void {
    task.version++;
    this.publish("ECS Task State Change", [task.arn], () => ({
      ...withDates(taskShape(task, false), iso),
      updatedAt: new Date().toISOString(),
    }));
  }

  serviceAction(
    service: ServiceRecord,
    eventName: string,
    eventType: "INFO" | "WARN" | "ERROR",
    extra: Record<string, unknown> = {},
  ): void {
    this.publish("ECS Service Action", [service.arn], () => ({
      eventType,
      eventName,
      clusterArn: service.cluster.arn,
      createdAt: new Date().toISOString(),
      ...extra,
    }));
  }

  deploymentChanged(service: ServiceRecord, deployment: DeploymentRecord): void {
    const names = {
      IN_PROGRESS: ["SERVICE_DEPLOYMENT_IN_PROGRESS", "INFO"],
      COMPLETED: ["SERVICE_DEPLOYMENT_COMPLETED", "INFO"],
      FAILED: ["SERVICE_DEPLOYMENT_FAILED", "ERROR"],
    } as const;
    const [eventName, eventType] = names[deployment.rolloutState];
    this.publish("ECS Deployment State Change", [service.arn], () => ({
      eventType,
      eventName,
      deploymentId: deployment.id,
      updatedAt: deployment.updatedAt.toISOString(),
      reason: deployment.rolloutStateReason,
    }));
  }

  /** Builds the detail only when someone listens: the 1,000-host benchmark has no rules. */
  private publish(detailType: string, resources: string[], detail: () => unknown): void {
    if (!this.bus.hasSubscribers) return;
    this.bus.publish(
      envelope({
        detailType,
        source: "aws.ecs",
        account: this.accountId,
        region: this.region,
        resources,
        detail: detail(),
      }),
    );
  }
}
