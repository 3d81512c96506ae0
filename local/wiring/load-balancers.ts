import { LocalLoadBalancer } from "../loadbalancer/balancer";
import {
  deregistrationDelaySeconds,
  followServiceTasks,
  healthCheckFromTargetGroup,
} from "../loadbalancer/targets";
import {
  isObject,
  type Json,
  type JsonObject,
  resourcesOfType,
  type Template,
} from "../template/read";
import type { Wiring } from "./context";

/**
 * Application load balancers: a local round-robin proxy for each ELBv2 LoadBalancer,
 * listening before anything else is wired (its URL is the DNSName other resources refer
 * to), and each load-balanced ECS service's tasks as its targets, health-checked as the
 * target group says.
 */

export interface LoadBalancedService {
  serviceLogicalId: string;
  serviceName: string;
  containerName: string;
  containerPort: number;
  targetGroupLogicalId: string;
  /** The target group's own properties (health check settings). */
  targetGroup: JsonObject;
  /** The LoadBalancer whose listener forwards to the target group, if any. */
  loadBalancerLogicalId?: string;
}

/** Every ECS service with `LoadBalancers`, joined to its target group and load balancer. */
export function loadBalancedServices(template: Template): LoadBalancedService[] {
  const listeners = resourcesOfType(template, "AWS::ElasticLoadBalancingV2::Listener");
  const refTarget = (node: Json | undefined) =>
    isObject(node ?? null) && typeof (node as JsonObject).Ref === "string"
      ? ((node as JsonObject).Ref as string)
      : undefined;
  return resourcesOfType(template, "AWS::ECS::Service").flatMap(([id, resource]) => {
    const properties = resource.Properties ?? {};
    const balancers = Array.isArray(properties.LoadBalancers) ? properties.LoadBalancers : [];
    return balancers.flatMap((entry): LoadBalancedService[] => {
      const binding = entry as JsonObject;
      const targetGroupId = refTarget(binding.TargetGroupArn);
      if (targetGroupId === undefined) return [];
      const listener = listeners.find(([, l]) =>
        JSON.stringify(l.Properties?.DefaultActions ?? []).includes(`"Ref":"${targetGroupId}"`),
      );
      return [
        {
          serviceLogicalId: id,
          serviceName: typeof properties.ServiceName === "string" ? properties.ServiceName : id,
          containerName: String(binding.ContainerName),
          containerPort: Number(binding.ContainerPort),
          targetGroupLogicalId: targetGroupId,
          targetGroup: template.Resources[targetGroupId]?.Properties ?? {},
          loadBalancerLogicalId: listener
            ? refTarget(listener[1].Properties?.LoadBalancerArn)
            : undefined,
        },
      ];
    });
  });
}

/**
 * A listening proxy for every ELBv2 LoadBalancer, its `host:port` the DNSName the
 * later steps resolve (the state machine's load balancer URL, say).
 */
export async function listenLoadBalancers(wiring: Wiring, firstPort?: number): Promise<void> {
  // The commands give the first one the edge's port + 1 (4567 for 4566), so
  // events/benchmark-runner/run.json and a browser find it; tests leave ports ephemeral.
  let next = firstPort;
  for (const [id] of wiring.resources("AWS::ElasticLoadBalancingV2::LoadBalancer")) {
    const balancer = new LocalLoadBalancer({ name: id });
    wiring.loadBalancers.set(id, balancer);
    const url = await balancer.listen(next === undefined ? 0 : next++);
    wiring.names.attributes = {
      ...wiring.names.attributes,
      [`${id}.DNSName`]: url.replace(/^http:\/\//, ""),
    };
  }
}

/** The proxy's targets follow the service's RUNNING tasks until the wiring stops. */
export function followService(
  wiring: Wiring,
  balancer: LocalLoadBalancer,
  service: { serviceName: string; containerName: string; containerPort: number },
): void {
  wiring.onStop(
    followServiceTasks(wiring.cloud.events, balancer, {
      clusterArn: wiring.names.attributes?.["Cluster.Arn"],
      serviceName: service.serviceName,
      containerName: service.containerName,
      containerPort: service.containerPort,
    }),
  );
}

/**
 * Each load-balanced service's tasks become its load balancer's targets; a target group
 * no listener forwards to still gets a proxy of its own, so its service is reachable.
 * The local ECS asks these proxies for its tasks' target health and drains them before
 * SIGTERM, as ECS asks ELB.
 */
export async function followLoadBalancedServices(wiring: Wiring): Promise<void> {
  const byTargetGroupArn = new Map<string, LocalLoadBalancer>();
  for (const service of loadBalancedServices(wiring.template)) {
    let balancer = service.loadBalancerLogicalId
      ? wiring.loadBalancers.get(service.loadBalancerLogicalId)
      : undefined;
    if (balancer === undefined) {
      balancer = new LocalLoadBalancer({ name: service.serviceLogicalId });
      wiring.loadBalancers.set(service.serviceLogicalId, balancer);
      await balancer.listen();
    }
    balancer.configureHealthCheck(healthCheckFromTargetGroup(service.targetGroup, wiring.clock));
    const delaySeconds = deregistrationDelaySeconds(service.targetGroup);
    if (delaySeconds !== undefined) {
      balancer.configureDeregistrationDelay(wiring.clock.realMs(delaySeconds));
    }
    const targetGroupArn = wiring.names.refs[service.targetGroupLogicalId];
    if (targetGroupArn !== undefined) byTargetGroupArn.set(targetGroupArn, balancer);
    followService(wiring, balancer, service);
  }
  wiring.cloud.ecs.attachTargetGroups({
    health: (targetGroupArn, taskArn) => byTargetGroupArn.get(targetGroupArn)?.targetState(taskArn),
    deregister: (targetGroupArn, taskArn) =>
      byTargetGroupArn.get(targetGroupArn)?.deregister(taskArn) ?? Promise.resolve(),
  });
}
