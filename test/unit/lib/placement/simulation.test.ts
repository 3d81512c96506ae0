/**
 * The indexed placement simulation against the plain one (./reference-simulation.ts):
 * on random hosts and tasks — ties in what hosts have left, ports, distinctInstance,
 * memberOf on attributes and on `task:group`, excluded hosts, trials one after another
 * on one simulation — both give the same answer: the same hosts with the same number
 * of tasks, or the same task group and reason for a miss.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileExpression } from "../../../../functions/lib/placement/query-language";
import type {
  HostCapacity,
  TaskRequirements,
} from "../../../../functions/lib/placement/requirements";
import {
  fitsOn,
  PlacementSimulation,
  type SimulatedHost,
} from "../../../../functions/lib/placement/simulation";
import { referencePlace } from "./reference-simulation";

const groups = ["service:web", "service:api", "service:edge", "service:db"];
const expressions = [
  "attribute:zone == a",
  "attribute:zone exists",
  "not(task:group == service:db)",
  "task:group == service:web or attribute:zone == b",
].map(compileExpression);

function capacity(index: number, spec: HostSpec): HostCapacity {
  return {
    containerInstanceArn: `ci/${index}`,
    ec2InstanceId: `i-${index}`,
    registeredCpu: 2048,
    registeredMemory: 4096,
    remainingCpu: spec.cpu,
    remainingMemory: spec.memory,
    portsInUse: new Set(spec.ports),
    attributes: new Map(spec.zone === undefined ? [] : [["zone", spec.zone]]),
    agentConnected: true,
    registeredAt: undefined,
    runningTasksCount: 0,
    agentVersion: undefined,
  };
}

interface HostSpec {
  cpu: number;
  memory: number;
  ports: number[];
  zone: string | undefined;
  groups: number[];
}

const hostArbitrary: fc.Arbitrary<HostSpec> = fc.record({
  // Few distinct values: many hosts equally tight, so the tie-break is tested.
  cpu: fc.constantFrom(0, 256, 512, 1024),
  memory: fc.constantFrom(0, 256, 512, 768, 1024),
  ports: fc.subarray([22, 80, 8080]),
  zone: fc.constantFrom("a", "b", undefined),
  groups: fc.array(fc.integer({ min: 0, max: groups.length - 1 }), { maxLength: 3 }),
});

const taskArbitrary: fc.Arbitrary<TaskRequirements> = fc.record({
  group: fc.constantFrom(...groups),
  cpu: fc.constantFrom(0, 256, 512),
  memory: fc.constantFrom(0, 256, 512),
  hostPorts: fc.constantFrom([], [], [], [80], [8080], [80, 8080]),
  distinctInstance: fc.boolean(),
  memberOf: fc.subarray(expressions, { maxLength: 2 }),
});

const trialArbitrary = fc.record({
  tasks: fc.array(taskArbitrary, { maxLength: 16 }),
  excluded: fc.array(fc.nat(), { maxLength: 3 }),
});

function simulatedHosts(specs: readonly HostSpec[]): SimulatedHost[] {
  return specs.map((spec, index) => {
    const counts = new Map<string, number>();
    for (const g of spec.groups) {
      const group = groups[g] as string;
      counts.set(group, (counts.get(group) ?? 0) + 1);
    }
    return { capacity: capacity(index, spec), groups: counts };
  });
}

const web = (cpu: number, memory: number): TaskRequirements => ({
  group: "service:web",
  cpu,
  memory,
  hostPorts: [],
  distinctInstance: false,
  memberOf: [],
});

/** A host the trial placed on takes again: found by fast-check against a stale index entry. */
const refill: [HostSpec[], { tasks: TaskRequirements[]; excluded: number[] }[]] = [
  [
    { cpu: 1024, memory: 1024, ports: [], zone: "a", groups: [] },
    { cpu: 0, memory: 768, ports: [], zone: "a", groups: [] },
  ],
  [
    {
      tasks: [web(0, 512), web(0, 512), web(512, 256), web(512, 256), web(0, 256)],
      excluded: [],
    },
  ],
];

describe("PlacementSimulation", () => {
  it("decides as placeTask over every host does, trial after trial", () => {
    fc.assert(
      fc.property(
        fc.array(hostArbitrary, { maxLength: 16 }),
        fc.array(trialArbitrary, { minLength: 1, maxLength: 4 }),
        (specs, trials) => {
          const hosts = simulatedHosts(specs);
          const simulation = new PlacementSimulation(hosts);
          for (const trial of trials) {
            const excluded = new Set(
              trial.excluded.map((i) => `ci/${specs.length === 0 ? i : i % specs.length}`),
            );
            const fast = simulation.place(trial.tasks, excluded);
            const plain = referencePlace(hosts, trial.tasks, excluded);
            expect(fast.fits).toBe(plain.fits);
            if (fast.fits && plain.fits) {
              expect([...fast.placements]).toEqual([...plain.placements]);
            } else {
              expect(fast).toEqual(plain);
            }
          }
        },
      ),
      { numRuns: 2000, examples: [refill] },
    );
  });

  it("never changes the hosts it was given", () => {
    const hosts = simulatedHosts([
      { cpu: 1024, memory: 1024, ports: [22], zone: "a", groups: [0] },
      { cpu: 512, memory: 512, ports: [22], zone: "b", groups: [] },
    ]);
    const simulation = new PlacementSimulation(hosts);
    const task: TaskRequirements = {
      group: "service:api",
      cpu: 256,
      memory: 256,
      hostPorts: [80],
      distinctInstance: false,
      memberOf: [],
    };
    expect(simulation.place([task, task], new Set()).fits).toBe(true);
    expect(hosts[0]?.capacity.remainingMemory).toBe(1024);
    expect([...(hosts[0]?.capacity.portsInUse ?? [])]).toEqual([22]);
    expect([...(hosts[0]?.groups ?? [])]).toEqual([["service:web", 1]]);
    // A second trial starts from the hosts again, not from the first trial's end.
    expect(simulation.place([task, task], new Set())).toEqual({
      fits: true,
      placements: new Map([
        ["ci/0", 1],
        ["ci/1", 1],
      ]),
    });
  });

  it("names the reason of the closest miss, as placeTask does", () => {
    const [host] = simulatedHosts([{ cpu: 128, memory: 4096, ports: [22], zone: "a", groups: [] }]);
    if (host === undefined) throw new Error("no host");
    const task: TaskRequirements = {
      group: "service:web",
      cpu: 256,
      memory: 256,
      hostPorts: [],
      distinctInstance: false,
      memberOf: [],
    };
    expect(fitsOn(host.capacity, task)).toEqual({
      fits: false,
      group: "service:web",
      reason: "RESOURCE:CPU",
    });
    expect(new PlacementSimulation([]).place([task], new Set())).toEqual({
      fits: false,
      group: "service:web",
      reason: "No Container Instances were found in your cluster.",
    });
  });

  it("fills what the required tasks leave: a task that fits nowhere is skipped, a smaller one still goes", () => {
    // Two hosts of 512 / 1024; the required 512 task takes one of them.
    const hosts = simulatedHosts([
      { cpu: 512, memory: 1024, ports: [22], zone: "a", groups: [] },
      { cpu: 512, memory: 1024, ports: [22], zone: "a", groups: [] },
    ]);
    const task = (group: string, cpu: number): TaskRequirements => ({
      group,
      cpu,
      memory: cpu,
      hostPorts: [],
      distinctInstance: false,
      memberOf: [],
    });
    const simulation = new PlacementSimulation(hosts);
    const optional = [task("service:big", 1024), task("service:p2", 256), task("service:p2", 256)];
    optional.push(task("service:p2", 256));

    const { fit, placed } = simulation.placeThenFill(
      [task("service:web", 512)],
      optional,
      new Set(),
    );

    expect(fit.fits).toBe(true);
    expect(placed).toEqual(new Map([["service:p2", 2]]));
    // Nothing required: the optional tasks fill every host, and each trial starts afresh.
    expect(simulation.placeThenFill([], optional, new Set(["ci/1"])).placed).toEqual(
      new Map([["service:p2", 2]]),
    );
    expect(
      simulation.placeThenFill([task("service:web", 1024)], optional, new Set()).fit.fits,
    ).toBe(false);
  });
});
