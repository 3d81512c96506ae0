import { PutItemCommand } from "@aws-sdk/client-dynamodb";
import { collectingProgress } from "../../../local/scenario/progress";
import {
  bootSystem as boot,
  type LocalSystem,
  quietFunctionLogs,
  type SystemOptions,
} from "../../../local/scenario/system";

/**
 * The whole system for one test file: an ephemeral port (parallel files never collide),
 * function logs silenced, trigger errors collected instead of printed.
 */
export async function bootTestSystem(
  options: Partial<SystemOptions> = {},
): Promise<{ system: LocalSystem; triggerErrors: string[] }> {
  quietFunctionLogs("SILENT");
  const triggerErrors: string[] = [];
  const system = await boot({
    port: 0,
    runTasks: "simulated",
    timeScale: 30,
    stopTimeoutMs: 2_000,
    functionEnvironment: { DEMAND_SEED: "7" },
    onError: (where, error) =>
      triggerErrors.push(`${where}: ${error instanceof Error ? error.message : String(error)}`),
    ...options,
  });
  return { system, triggerErrors };
}

/** With the randomizer off, the test writes demand itself, as the randomizer would. */
export const demandRandomizerOff = { DemandRandomizerState: "DISABLED" } as const;

let version = 0;
export async function writeDemand(system: LocalSystem, value: number): Promise<void> {
  version++;
  await system.clients.dynamodb.send(
    new PutItemCommand({
      TableName: system.names.demandTable,
      Item: {
        pk: { S: "demand" },
        value: { N: String(value) },
        version: { N: String(version) },
        updatedAt: { S: new Date().toISOString() },
      },
    }),
  );
}

export { collectingProgress };

/** The template's host Auto Scaling group as the local EC2 Auto Scaling holds it now. */
export function hostGroup(system: LocalSystem) {
  const found = system.cloud.autoscaling.group(system.names.hostGroup);
  if (found === undefined) throw new Error(`no group ${system.names.hostGroup}`);
  return found;
}
