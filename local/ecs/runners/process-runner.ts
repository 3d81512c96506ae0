import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { constants } from "node:os";
import {
  type Bundler,
  containerFolderFor,
  containerFolders,
  makeBundler,
} from "./container-bundles";
import type {
  ContainerLaunch,
  LaunchHooks,
  NetworkBinding,
  TaskLaunch,
  TaskRunner,
} from "./task-runner";

/** A free loopback port: the kernel picks one, we release it for the child to bind. */
async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

interface RunningContainer {
  launch: ContainerLaunch;
  child: ChildProcess | undefined;
  /** Node is up and about to run the program (startedSignal). */
  programStarted: boolean;
  exited: boolean;
  killTimer?: NodeJS.Timeout;
}

interface RunningTask {
  launch: TaskLaunch;
  hooks: LaunchHooks;
  containers: RunningContainer[];
  stopRequested: boolean;
  log: string[];
  done: Promise<void>;
  finish: () => void;
}

const maxLogLines = 200;

/**
 * Preloaded into every container (`node --import`): tells the runner on fd 3 that Node is
 * up and about to run the program, then closes fd 3 so the program never sees it. Node's
 * start-up grows with the machine's load (past half a second when it is busy); the
 * deployments' stabilization time counts from here, not from the spawn.
 */
const startedSignal =
  'data:text/javascript,import{closeSync,writeSync}from"node:fs";writeSync(3,"started");closeSync(3);';

function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number | null {
  if (code !== null) return code;
  if (signal !== null) return 128 + (constants.signals[signal] ?? 0);
  return null;
}

/**
 * Runs each container as a Node child process (no Docker): the program bundled from
 * `containers/<name>/src/main.ts`, its environment plus PORT and the ECS_* variables.
 */
export class ProcessTaskRunner implements TaskRunner {
  private readonly tasks = new Map<string, RunningTask>();
  private readonly finishedLogs = new Map<string, string[]>();
  private readonly bundle: Bundler;
  private readonly folders: string[];

  constructor(
    private readonly options: {
      containersDir: string;
      outDir: string;
      /** Variables every container gets first (endpoint, region, fake credentials). */
      baseEnvironment: Readonly<Record<string, string>>;
    },
  ) {
    this.bundle = makeBundler(options.containersDir, options.outDir);
    process.on("exit", this.killAll);
    this.folders = containerFolders(options.containersDir);
  }

  launch(launch: TaskLaunch, hooks: LaunchHooks): void {
    let finish = () => {};
    const done = new Promise<void>((resolveDone) => {
      finish = resolveDone;
    });
    const task: RunningTask = {
      launch,
      hooks,
      containers: launch.containers.map((container) => ({
        launch: container,
        child: undefined,
        programStarted: false,
        exited: false,
      })),
      stopRequested: false,
      log: [],
      done,
      finish,
    };
    this.tasks.set(launch.taskArn, task);
    this.start(task).catch((error: unknown) => this.failToStart(task, String(error)));
  }

  private failToStart(task: RunningTask, reason: string): void {
    for (const container of task.containers) {
      if (container.child === undefined && !container.exited) {
        container.exited = true;
      }
    }
    if (task.containers.some((container) => container.child !== undefined && !container.exited)) {
      this.stop(task.launch.taskArn);
      return;
    }
    this.finished(task, reason);
  }

  private finished(task: RunningTask, failedToStart?: string): void {
    this.tasks.delete(task.launch.taskArn);
    this.finishedLogs.set(task.launch.taskArn, task.log);
    // Keep the logs of the last stopped tasks only.
    if (this.finishedLogs.size > 500) {
      const oldest = this.finishedLogs.keys().next().value;
      if (oldest !== undefined) this.finishedLogs.delete(oldest);
    }
    task.hooks.stopped(failedToStart);
    task.finish();
  }

  private async start(task: RunningTask): Promise<void> {
    const bindings = new Map<string, NetworkBinding[]>();
    const programs: string[] = [];
    for (const container of task.containers) {
      const folder = containerFolderFor(container.launch.image, this.folders);
      if (folder === undefined) {
        this.failToStart(
          task,
          `CannotPullContainerError: no containers/<name>/src/main.ts matches image ${container.launch.image}`,
        );
        return;
      }
      try {
        programs.push(await this.bundle(folder));
      } catch (error) {
        this.failToStart(
          task,
          `CannotPullContainerError: bundling ${folder} failed: ${String(error)}`,
        );
        return;
      }
      const containerBindings: NetworkBinding[] = [];
      for (const mapping of container.launch.portMappings) {
        const hostPort = await freeLoopbackPort();
        containerBindings.push({
          bindIP: "127.0.0.1",
          containerPort: mapping.containerPort,
          hostPort,
          protocol: mapping.protocol,
        });
      }
      bindings.set(container.launch.name, containerBindings);
    }
    if (task.stopRequested) {
      this.failToStart(task, "Task stopped before it started");
      return;
    }
    task.containers.forEach((container, index) => {
      const port = bindings.get(container.launch.name)?.[0]?.hostPort;
      const child = spawn(process.execPath, ["--import", startedSignal, programs[index] ?? ""], {
        env: {
          PATH: process.env.PATH ?? "",
          ...this.options.baseEnvironment,
          ...container.launch.environment,
          ...(port === undefined ? {} : { PORT: String(port) }),
          ECS_CLUSTER: task.launch.clusterName,
          ECS_TASK_ARN: task.launch.taskArn,
          ECS_CONTAINER_INSTANCE_ARN: task.launch.containerInstanceArn,
        },
        stdio: ["ignore", "pipe", "pipe", "pipe"],
      });
      container.child = child;
      const record = (chunk: Buffer) => {
        for (const line of chunk.toString("utf8").split("\n")) {
          if (line === "") continue;
          task.log.push(`${container.launch.name}: ${line}`);
          if (task.log.length > maxLogLines) task.log.shift();
        }
      };
      child.stdout?.on("data", record);
      child.stderr?.on("data", record);
      child.on("error", (error) => record(Buffer.from(String(error))));
      child.on("exit", (code, signal) => this.exited(task, container, exitCodeOf(code, signal)));
      child.stdio[3]?.once("data", () => {
        container.programStarted = true;
        if (task.containers.every((c) => c.programStarted)) task.hooks.programsStarted();
      });
    });
    task.hooks.running(bindings);
  }

  private exited(task: RunningTask, container: RunningContainer, exitCode: number | null): void {
    if (container.exited) return;
    container.exited = true;
    clearTimeout(container.killTimer);
    task.hooks.containerExited(container.launch.name, exitCode);
    // An essential container's exit stops the whole task, as on ECS.
    if (container.launch.essential && !task.stopRequested) this.stop(task.launch.taskArn);
    if (task.containers.every((c) => c.exited)) this.finished(task);
  }

  stop(taskArn: string): void {
    const task = this.tasks.get(taskArn);
    if (task === undefined) return;
    task.stopRequested = true;
    for (const container of task.containers) {
      const child = container.child;
      if (child === undefined || container.exited || container.killTimer !== undefined) continue;
      child.kill("SIGTERM");
      container.killTimer = setTimeout(() => {
        if (!container.exited) child.kill("SIGKILL");
      }, container.launch.stopTimeoutMs);
    }
  }

  logs(taskArn: string): string[] {
    return [...(this.tasks.get(taskArn)?.log ?? this.finishedLogs.get(taskArn) ?? [])];
  }

  async shutdown(): Promise<void> {
    const pending = [...this.tasks.values()];
    for (const task of pending) this.stop(task.launch.taskArn);
    await Promise.all(pending.map((task) => task.done));
    process.off("exit", this.killAll);
  }

  /** Last resort if the parent exits without `stop()`: no child outlives it. */
  private readonly killAll = (): void => {
    for (const task of this.tasks.values()) {
      for (const container of task.containers) {
        if (!container.exited) container.child?.kill("SIGKILL");
      }
    }
  };
}
