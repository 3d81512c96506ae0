import { describe, expect, it } from "vitest";
import { compileExpression } from "../../../../functions/lib/placement/query-language";
import {
  capacityProviderReservation,
  type GroupHost,
  nextDesiredCapacity,
  type WaitingTask,
} from "../../../../local/ecs/capacity/reservation";

const zoneOf = (zone: string) => (subject: string) =>
  subject === "attribute:ecs.availability-zone" ? zone : undefined;

function host(id: string, options: Partial<GroupHost> = {}): GroupHost {
  return {
    instanceId: id,
    remainingCpu: 1024,
    remainingMemory: 1024,
    portsInUse: new Set(),
    subjectValues: zoneOf("us-east-1a"),
    tasksPerService: new Map(),
    busy: false,
    ...options,
  };
}

const newHost = { cpu: 1024, memory: 1024, reservedPorts: [], subjectValues: zoneOf("us-east-1a") };
const task = (options: Partial<WaitingTask> = {}): WaitingTask => ({
  service: "service:web",
  cpu: 512,
  memory: 128,
  hostPorts: [],
  distinctInstance: false,
  memberOf: [],
  ...options,
});
const times = (count: number, make: () => WaitingTask) => Array.from({ length: count }, make);
const settings = { targetCapacity: 100, minimumScalingStepSize: 1, maximumScalingStepSize: 10 };

describe("CapacityProviderReservation", () => {
  it("is the busy hosts over the hosts when nothing waits: only empty hosts are spare", () => {
    const hosts = [host("i-1", { busy: true }), host("i-2", { busy: true }), host("i-3")];
    expect(capacityProviderReservation({ hosts, pending: 0, waiting: [], newHost })).toMatchObject({
      m: 2,
      n: 3,
      hostsNeeded: 0,
    });
    expect(
      capacityProviderReservation({ hosts, pending: 0, waiting: [], newHost }).reservation,
    ).toBeCloseTo(66.67, 1);
  });

  it("counts the new hosts waiting tasks need, after the room left and the booting hosts", () => {
    // 512 free on i-1: one task fits there; a booting host takes two; three are left → 2 hosts.
    const hosts = [host("i-1", { busy: true, remainingCpu: 512 })];
    const waiting = times(6, () => task());
    expect(capacityProviderReservation({ hosts, pending: 1, waiting, newHost })).toMatchObject({
      n: 1,
      hostsNeeded: 2,
      m: 3,
      reservation: 300,
    });
  });

  it("places one task of a distinctInstance service per host, and none where memberOf refuses", () => {
    const hosts = [host("i-1", { tasksPerService: new Map([["service:agent", 1]]) })];
    const agent = () => task({ service: "service:agent", cpu: 64, distinctInstance: true });
    expect(
      capacityProviderReservation({ hosts, pending: 0, waiting: times(2, agent), newHost }),
    ).toMatchObject({ hostsNeeded: 2 });
    const elsewhere = compileExpression("attribute:ecs.availability-zone == us-east-1b");
    expect(
      capacityProviderReservation({
        hosts,
        pending: 0,
        waiting: [task({ memberOf: [elsewhere] })],
        newHost,
      }),
    ).toMatchObject({ hostsNeeded: 0, neverFit: 1 });
  });

  it("is 200 for a group with no host and tasks waiting, 100 with nothing to run", () => {
    expect(
      capacityProviderReservation({ hosts: [], pending: 0, waiting: [task()], newHost })
        .reservation,
    ).toBe(200);
    expect(
      capacityProviderReservation({ hosts: [], pending: 0, waiting: [], newHost }).reservation,
    ).toBe(100);
  });
});

describe("the desired capacity managed scaling asks for", () => {
  const sizes = { minSize: 1, maxSize: 10, desiredCapacity: 2, pending: 0 };
  const reservation = (m: number, n: number, hostsNeeded = 0) => ({
    m,
    n,
    hostsNeeded,
    reservation: (m / n) * 100,
    neverFit: 0,
  });

  it("scales out by what is needed, within the step sizes and MaxSize", () => {
    expect(nextDesiredCapacity(reservation(5, 2, 3), settings, sizes)).toBe(5);
    expect(
      nextDesiredCapacity(reservation(5, 2, 3), { ...settings, maximumScalingStepSize: 2 }, sizes),
    ).toBe(4);
    expect(
      nextDesiredCapacity(reservation(3, 2, 1), { ...settings, minimumScalingStepSize: 2 }, sizes),
    ).toBe(4);
    expect(nextDesiredCapacity(reservation(5, 2, 3), settings, { ...sizes, maxSize: 3 })).toBe(3);
  });

  it("keeps spare hosts below a target capacity of 100", () => {
    expect(nextDesiredCapacity(reservation(2, 2), { ...settings, targetCapacity: 50 }, sizes)).toBe(
      4,
    );
  });

  it("scales in to the busy hosts, never below MinSize, never while hosts boot", () => {
    const four = { ...sizes, desiredCapacity: 4 };
    expect(nextDesiredCapacity(reservation(2, 4), settings, four)).toBe(2);
    expect(nextDesiredCapacity(reservation(0, 4), settings, four)).toBe(1);
    expect(nextDesiredCapacity(reservation(2, 3), settings, { ...four, pending: 1 })).toBe(4);
    expect(nextDesiredCapacity(reservation(4, 4), settings, four)).toBe(4);
  });
});
