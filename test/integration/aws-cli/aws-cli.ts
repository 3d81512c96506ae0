import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

/** What one `aws …` call printed and returned. */
export interface CliResult {
  rc: number;
  stdout: string;
  stderr: string;
  /** stdout read as JSON (the CLI's default output), or undefined. */
  json: unknown;
}

const driver = fileURLToPath(new URL("./driver.py", import.meta.url));

/** Why the aws CLI v1 cannot run here, or undefined when it can. */
export function awsCliMissing(): string | undefined {
  const probe = spawnSync("python3", ["-c", "import awscli.clidriver"], { encoding: "utf8" });
  return probe.status === 0 ? undefined : "the aws CLI v1 (python3 -m awscli) is not installed";
}

/**
 * The aws CLI v1 against one endpoint, every call through the CLI's own driver in one
 * Python process, with the environment a user of the README sets (AWS_DEFAULT_REGION).
 */
export class AwsCli {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting: ((line: string) => void)[] = [];

  constructor(
    private readonly endpoint: string,
    region: string,
  ) {
    this.child = spawn("python3", [driver], {
      env: {
        ...process.env,
        AWS_DEFAULT_REGION: region,
        AWS_ACCESS_KEY_ID: "test",
        AWS_SECRET_ACCESS_KEY: "test",
        AWS_PAGER: "",
      },
    });
    createInterface({ input: this.child.stdout }).on("line", (line) =>
      this.waiting.shift()?.(line),
    );
  }

  run(...args: string[]): Promise<CliResult> {
    return new Promise((resolve) => {
      this.waiting.push((line) => {
        const result = JSON.parse(line) as Omit<CliResult, "json">;
        let json: unknown;
        try {
          json = result.stdout.trim() === "" ? undefined : JSON.parse(result.stdout);
        } catch {
          json = undefined;
        }
        resolve({ ...result, json });
      });
      this.child.stdin.write(`${JSON.stringify(["--endpoint-url", this.endpoint, ...args])}\n`);
    });
  }

  close(): void {
    this.child.stdin.end();
  }
}
