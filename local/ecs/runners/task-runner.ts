/**
 * What runs a task's containers, as the ECS agent does on a host: the control plane
 * launches and stops tasks through it and hears back through the hooks.
 */

export interface NetworkBinding {
  bindIP: string;
  containerPort: number;
  hostPort: number;
  protocol: "tcp" | "udp";
}

export interface ContainerLaunch {
  name: string;
  image: string;
  essential: boolean;
  environment: Readonly<Record<string, string>>;
  portMappings: readonly { containerPort: number; hostPort: number; protocol: "tcp" | "udp" }[];
  stopTimeoutMs: number;
}

export interface TaskLaunch {
  taskArn: string;
  clusterName: string;
  containerInstanceArn: string;
  containers: readonly ContainerLaunch[];
}

/** What a runner reports back; the control plane turns these into task state. */
export interface LaunchHooks {
  /** Every container started; bindings per container name. */
  running(bindings: ReadonlyMap<string, NetworkBinding[]>): void;
  /**
   * Every container's program has begun, at `running` or after it (a process runner: once
   * Node is up). The deployments' stabilization time counts from here.
   */
  programsStarted(): void;
  /** One container exited (exit code, or null when it never ran). */
  containerExited(name: string, exitCode: number | null, reason?: string): void;
  /** Every container of the task has exited: the task is STOPPED. */
  stopped(failedToStart?: string): void;
}

export interface TaskRunner {
  launch(task: TaskLaunch, hooks: LaunchHooks): void;
  /** SIGTERM each container, SIGKILL after its stop timeout; `stopped` follows. */
  stop(taskArn: string): void;
  /** The last lines a task's containers wrote (stdout and stderr), for tests and reports. */
  logs(taskArn: string): string[];
  /** Stops every task and waits until all have exited. */
  shutdown(): Promise<void>;
}
