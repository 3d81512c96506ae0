import type { TaskRecord } from "./records";

/**
 * What the local ECS asks of the target groups its services are registered with, as
 * ECS asks ELB on AWS: a target's health (DescribeTargetHealth) and its deregistration,
 * which ends when the target is drained (DeregisterTargets, then the deregistration
 * delay or no request left in flight).
 */
export interface TargetGroups {
  /** `healthy`, `initial`, `unhealthy`, `draining`; undefined when the group does not know the target. */
  health(targetGroupArn: string, taskArn: string): string | undefined;
  deregister(targetGroupArn: string, taskArn: string): Promise<void>;
}

/**
 * A task behind target groups counts as healthy for its deployment (and for
 * minimumHealthyPercent) only once every one of them reports it healthy, and it is
 * deregistered and drained before it is sent SIGTERM, as ECS does with an ALB. A task with no load balancer is healthy once RUNNING;
 * so is every task until the wiring attaches the target groups.
 */
export class LoadBalancerHealth {
  private groups: TargetGroups | undefined;

  attach(groups: TargetGroups): void {
    this.groups = groups;
  }

  /** RUNNING and, behind a load balancer, healthy in each of its target groups. */
  passes(task: TaskRecord): boolean {
    if (task.lastStatus !== "RUNNING") return false;
    const groups = this.groups;
    if (groups === undefined) return true;
    return this.targetGroupsOf(task).every((arn) => groups.health(arn, task.arn) === "healthy");
  }

  /** Whether the task's service registers it with any target group (it drains before it stops). */
  hasTargets(task: TaskRecord): boolean {
    return this.groups !== undefined && this.targetGroupsOf(task).length > 0;
  }

  /** Resolves once the task is deregistered from every target group and drained. */
  async drain(task: TaskRecord): Promise<void> {
    const groups = this.groups;
    if (groups === undefined) return;
    await Promise.all(this.targetGroupsOf(task).map((arn) => groups.deregister(arn, task.arn)));
  }

  private targetGroupsOf(task: TaskRecord): string[] {
    return (task.service?.loadBalancers ?? []).flatMap((binding) =>
      binding.targetGroupArn === undefined ? [] : [binding.targetGroupArn],
    );
  }
}
