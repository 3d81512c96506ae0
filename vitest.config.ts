import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "containers/**/*.test.ts"],
    setupFiles: ["test/setup.ts"],
    // Integration tests boot real servers and child processes; 2 cores is the target machine.
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
