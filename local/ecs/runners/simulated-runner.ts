import type { LaunchHooks, NetworkBinding, TaskLaunch, TaskRunner } from "./task-runner";

/**
 * Tasks without processes, for the 1,000-host benchmark and fast tests: they start on
 * the next tick, stop at once with exit code 0, and `exit()` simulates a crash.
 */
export class SimulatedTaskRunner implements TaskRunner {
  private readonly tasks = new Map<
    string,
    { launch: TaskLaunch; hooks: LaunchHooks; running: boolean }
  >();
  private nextPort = 32768;

  launch(launch: TaskLaunch, hooks: LaunchHooks): void {
    const task = { launch, hooks, running: false };
    this.tasks.set(launch.taskArn, task);
    setImmediate(() => {
      if (!this.tasks.has(launch.taskArn) || task.running) return;
      task.running = true;
      const bindings = new Map<string, NetworkBinding[]>();
      for (const container of launch.containers) {
        bindings.set(
          container.name,
          container.portMappings.map((mapping) => ({
            bindIP: "0.0.0.0",
            containerPort: mapping.containerPort,
            hostPort: mapping.hostPort !== 0 ? mapping.hostPort : this.dynamicPort(),
            protocol: mapping.protocol,
          })),
        );
      }
      hooks.running(bindings);
      hooks.programsStarted();
    });
  }

  private dynamicPort(): number {
    const port = this.nextPort;
    this.nextPort = port >= 60999 ? 32768 : port + 1;
    return port;
  }

  stop(taskArn: string): void {
    this.exit(taskArn, 0);
  }

  /** Simulates the task's containers exiting with `exitCode` (a crash when non-zero). */
  exit(taskArn: string, exitCode: number): void {
    const task = this.tasks.get(taskArn);
    if (task === undefined) return;
    this.tasks.delete(taskArn);
    setImmediate(() => {
      for (const container of task.launch.containers) {
        task.hooks.containerExited(container.name, task.running ? exitCode : null);
      }
      task.hooks.stopped();
    });
  }

  logs(): string[] {
    return [];
  }

  async shutdown(): Promise<void> {
    for (const taskArn of [...this.tasks.keys()]) this.stop(taskArn);
    await new Promise((resolveTick) => setImmediate(resolveTick));
  }
}
