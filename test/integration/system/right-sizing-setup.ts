import { expect } from "vitest";
import { setDemand } from "../../../local/scenario/demand";
import { floorHosts, joinHosts } from "../../../local/scenario/hosts";
import { prioritiesConverged } from "../../../local/scenario/observe";
import { scenarioParameters } from "../../../local/scenario/options";
import { startScenario } from "../../../local/scenario/run-context";
import { bootTestSystem, collectingProgress, demandRandomizerOff } from "./helpers";

/**
 * npm start's right-sizing phases on their own, from two hosts at MinSize 2. Tasks run as
 * processes: web's rollout completes only with healthy targets behind the load balancer,
 * and the consolidator holds while a rollout is in progress. One system per test file:
 * a function module, once loaded, keeps the clients of the first system it served.
 */
export async function twoHosts(overrides: Record<string, string>) {
  const booted = await bootTestSystem({
    runTasks: "processes",
    parameters: { ...scenarioParameters(30), ...demandRandomizerOff, ...overrides },
  });
  const { system } = booted;
  const progress = collectingProgress();
  const context = startScenario(system, progress, {
    rightSizing: { highDemand: 9, lowDemand: 1, consolidateDeadlineMs: 20_000 },
  });
  // Two hosts, and the group's MinSize with them: the floor the consolidator keeps.
  const group = system.cloud.autoscaling.group(system.names.hostGroup);
  joinHosts(system, 2 - (group?.desiredCapacity ?? 0));
  await floorHosts(system, 2);
  await setDemand(system, 2);
  const settled = await context.recorder.until(
    (s) => s.hosts.active === 2 && s.demand === 2 && prioritiesConverged(s),
    20_000,
  );
  expect(settled.ok, JSON.stringify(settled.snapshot)).toBe(true);
  return { system, context, progress };
}
