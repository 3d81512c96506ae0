import { spawn } from "node:child_process";
import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../../../local/template/read";
import { waitFor } from "../../support/wait-for";

/** True while something accepts connections on the port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** True while any process of the group is alive. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("a SIGTERM to npm (npm run local & … kill $!)", () => {
  it("stops tsx, node and every task, and frees the port", async () => {
    // Prepare: npm in a process group of its own, as a shell's background job is.
    const npm = spawn("npm", ["run", "local", "--", "--port", "0", "--hosts", "1", "--quiet"], {
      cwd: projectRoot,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    npm.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    const pgid = npm.pid ?? 0;
    try {
      const port = await waitFor(
        "npm run local's banner",
        () => {
          const match = /local cloud: http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
          return match !== null && output.includes("Ctrl-C stops it")
            ? Number(match[1])
            : undefined;
        },
        90_000,
      );
      expect(await listening(port)).toBe(true);
      // Act: the signal goes to npm alone, as `kill $!` sends it.
      npm.kill("SIGTERM");
      // Assess
      await waitFor("every process of the group to exit", () => !groupAlive(pgid), 30_000);
      expect(await listening(port)).toBe(false);
    } finally {
      if (groupAlive(pgid)) process.kill(-pgid, "SIGKILL");
    }
  }, 150_000);
});
