import { performance } from "node:perf_hooks";
import type { LocalCloud } from "../../../local/cloud";

/**
 * One ECS managed-scaling pass (CapacityProviderReservation for every task, then the
 * desired capacity it asks for) on the scale bench's cluster of 1,000 hosts and 10,000
 * tasks: first with nothing waiting, then with WAITING tasks that fit on no host and stay
 * PROVISIONING. Built on the cluster `controllerPasses` made, so it runs after it.
 */
const PASSES = 20;
const WAITING = 100;

export interface ScalingPassFigure {
  name: string;
  p50Ms: number;
  maxMs: number;
  reservation: string;
}

function timed(cloud: LocalCloud): { p50Ms: number; maxMs: number } {
  const times: number[] = [];
  for (let i = 0; i < PASSES; i++) {
    const started = performance.now();
    cloud.managedScaling.pass();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { p50Ms: times[Math.floor(times.length / 2)] ?? Number.NaN, maxMs: times.at(-1) ?? 0 };
}

function reservationOf(cloud: LocalCloud, cluster: string): string {
  const figure = cloud.managedScaling
    .latest()
    .find((f) => f.cluster === cluster || f.cluster.endsWith(`/${cluster}`));
  return figure === undefined
    ? "none published"
    : `M ${figure.m} / N ${figure.n} = ${figure.reservation.toFixed(0)} %`;
}

export async function managedScalingPasses(
  cloud: LocalCloud,
  cluster: string,
  group: string,
  hostSize: { cpu: number; memory: number },
): Promise<ScalingPassFigure[]> {
  const { ecs } = cloud;
  await ecs.handle("CreateCapacityProvider", {
    name: "scale-provider",
    autoScalingGroupProvider: {
      autoScalingGroupArn: group,
      managedScaling: { status: "ENABLED", targetCapacity: 100 },
      managedTerminationProtection: "DISABLED",
    },
  });
  await ecs.handle("PutClusterCapacityProviders", {
    cluster,
    capacityProviders: ["scale-provider"],
    defaultCapacityProviderStrategy: [{ capacityProvider: "scale-provider", weight: 1 }],
  });
  cloud.managedScaling.hostSize(group, hostSize);
  const idle = timed(cloud);
  const idleReservation = reservationOf(cloud, cluster);

  // Tasks bigger than what any host has left: they wait, PROVISIONING, for new hosts.
  await ecs.handle("RegisterTaskDefinition", {
    family: "scale-big",
    containerDefinitions: [
      { name: "app", image: "microscale-worker", cpu: hostSize.cpu, memory: 64 },
    ],
  });
  await ecs.handle("CreateService", {
    cluster,
    serviceName: "big",
    taskDefinition: "scale-big",
    desiredCount: WAITING,
    capacityProviderStrategy: [{ capacityProvider: "scale-provider", weight: 1 }],
  });
  ecs.reconcile();
  const waiting = timed(cloud);
  return [
    { name: "managed scaling pass, nothing waiting", ...idle, reservation: idleReservation },
    {
      name: `managed scaling pass, ${WAITING} PROVISIONING tasks`,
      ...waiting,
      reservation: reservationOf(cloud, cluster),
    },
  ];
}
