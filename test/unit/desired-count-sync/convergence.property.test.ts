/**
 * Property: whatever hosts do (join, drain, come back, deregister, lose their agent),
 * and however EventBridge delivers the events (late, duplicated, reordered, mixed with
 * schedules, other clusters' events and API failures that Lambda retries), once the
 * events are all delivered every per-host service's desiredCount equals the number of
 * eligible ACTIVE container instances (capped by MAX_DESIRED_COUNT).
 *
 * Stronger invariants checked along the way:
 *  - after every successful invocation each service is already right;
 *  - a failed invocation never writes a value other than the right one (no partial
 *    page, no error read as 0);
 *  - another cluster's event makes no API call.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type EventBridgeSample, sampleEvent } from "../../support/events";
import type { FakeInstance, Operation } from "./fake-ecs";
import { serverError, throttling } from "./fake-ecs";
import { harness } from "./harness";

type Op =
  | { t: "join"; n: number; edge: boolean }
  | { t: "drain" | "activate" | "deregister" | "disconnect" | "reconnect" | "churn"; k: number }
  | { t: "deliver"; k: number; duplicate: boolean }
  | { t: "schedule" }
  | { t: "foreign" }
  | { t: "fault"; operation: Operation; throttle: boolean };

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant("join" as const),
      n: fc.integer({ min: 1, max: 45 }),
      edge: fc.boolean(),
    }),
  },
  ...(["drain", "activate", "deregister", "disconnect", "reconnect", "churn"] as const).map(
    (t) => ({
      weight: 2,
      arbitrary: fc.record({ t: fc.constant(t), k: fc.nat() }),
    }),
  ),
  {
    weight: 5,
    arbitrary: fc.record({
      t: fc.constant("deliver" as const),
      k: fc.nat(),
      duplicate: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ t: "schedule" as const }) },
  { weight: 1, arbitrary: fc.constant({ t: "foreign" as const }) },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant("fault" as const),
      operation: fc.constantFrom<Operation>(
        "DescribeServices",
        "ListContainerInstances",
        "UpdateService",
        "ListServices",
      ),
      throttle: fc.boolean(),
    }),
  },
);

const scenario = fc.record({
  ops: fc.array(op, { minLength: 1, maxLength: 60 }),
  /** Order in which whatever is still queued at the end gets delivered. */
  finalOrder: fc.array(fc.nat(), { maxLength: 400 }),
  discover: fc.boolean(),
  cap: fc.option(fc.integer({ min: 1, max: 150 }), { nil: undefined }),
});

describe("desired-count sync converges (fast-check)", () => {
  it("ends with desiredCount = eligible ACTIVE instances for any event history", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ ops, finalOrder, discover, cap }) => {
        const h = harness({
          ...(discover ? {} : { PER_HOST_SERVICES: "agent,edge-agent" }),
          ...(cap === undefined ? {} : { MAX_DESIRED_COUNT: String(cap) }),
        });
        const { fake } = h;
        const limit = cap ?? 1000;
        const tag = [{ key: "microscale:per-host", value: "true" }];
        fake.addService({ name: "agent", desiredCount: 0, tags: tag });
        fake.addService({
          name: "edge-agent",
          desiredCount: 0,
          tags: tag,
          placementConstraints: [
            { type: "distinctInstance" },
            { type: "memberOf", expression: "attribute:pool == edge" },
          ],
        });
        fake.addService({ name: "web", desiredCount: 2 }); // not per-host: never touched
        const filters: Record<string, string | undefined> = {
          agent: undefined,
          "edge-agent": "attribute:pool == edge",
        };
        const expected = (name: string) => Math.min(fake.eligible(filters[name]), limit);

        const queue: unknown[] = [];
        let version = 0;
        const emit = (instance: FakeInstance) => {
          const event = sampleEvent<EventBridgeSample>(
            "desired-count-sync",
            "container-instance-active",
          );
          version += 1;
          Object.assign(event.detail, {
            containerInstanceArn: fake.instanceArn(instance.id),
            status: instance.status,
            agentConnected: instance.agentConnected,
            version,
          });
          queue.push(event);
        };
        const pick = (k: number): FakeInstance | undefined => {
          const all = [...fake.instances.values()];
          return all.length === 0 ? undefined : all[k % all.length];
        };

        const invoke = async (event: unknown) => {
          const before = new Map([...fake.services].map(([name, s]) => [name, s.desiredCount]));
          try {
            await h.handle(event);
          } catch {
            // Lambda retries a failed async invocation: the event goes back in the queue.
            queue.push(event);
            for (const name of ["agent", "edge-agent"]) {
              const now = fake.services.get(name)?.desiredCount;
              expect([before.get(name), expected(name)]).toContain(now);
            }
            return;
          }
          for (const name of ["agent", "edge-agent"]) {
            expect(fake.services.get(name)?.desiredCount).toBe(expected(name));
          }
        };

        for (const o of ops) {
          switch (o.t) {
            case "join":
              for (const i of fake.addInstances(o.n, () => ({
                attributes: { "ecs.os-type": "linux", pool: o.edge ? "edge" : "core" },
              })))
                emit(i);
              break;
            case "drain":
            case "activate":
            case "deregister":
            case "disconnect":
            case "reconnect":
            case "churn": {
              const instance = pick(o.k);
              if (instance === undefined || instance.status === "INACTIVE") break;
              if (o.t === "drain") instance.status = "DRAINING";
              if (o.t === "activate") instance.status = "ACTIVE";
              if (o.t === "deregister") {
                instance.status = "INACTIVE";
                instance.agentConnected = false;
              }
              if (o.t === "disconnect") instance.agentConnected = false;
              if (o.t === "reconnect") instance.agentConnected = true;
              emit(instance);
              break;
            }
            case "deliver": {
              if (queue.length === 0) break;
              const index = o.k % queue.length;
              const event = queue[index];
              if (!o.duplicate) queue.splice(index, 1); // a duplicate stays queued: delivered again later
              await invoke(event);
              break;
            }
            case "schedule":
              await invoke(sampleEvent("desired-count-sync", "scheduled-reconcile"));
              break;
            case "foreign": {
              const event = sampleEvent<EventBridgeSample>(
                "desired-count-sync",
                "container-instance-draining",
              );
              event.detail.clusterArn = "arn:aws:ecs:us-east-1:111122223333:cluster/other";
              const calls = fake.calls();
              await h.invoke(event);
              expect(fake.calls()).toBe(calls);
              break;
            }
            case "fault":
              fake.failNext(o.operation, o.throttle ? () => throttling() : () => serverError());
              break;
          }
        }

        // Deliver everything still queued, in a generated order (failures re-queue).
        let step = 0;
        while (queue.length > 0) {
          const index = (finalOrder[step % Math.max(1, finalOrder.length)] ?? 0) % queue.length;
          step += 1;
          const [event] = queue.splice(index, 1);
          await invoke(event);
          if (step > 10_000) throw new Error("delivery did not terminate");
        }

        for (const name of ["agent", "edge-agent"]) {
          expect(fake.services.get(name)?.desiredCount).toBe(expected(name));
        }
        expect(fake.services.get("web")?.desiredCount).toBe(2);
      }),
      { numRuns: 120 },
    );
  });
});
