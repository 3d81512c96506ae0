import { LocalLoadBalancer } from "../loadbalancer/balancer";
import { isObject, type JsonObject, resourcesOfType, type Template } from "../template/read";
import type { Wiring } from "./context";
import { followService } from "./load-balancers";

/**
 * ECS Service Connect: each client alias a service publishes (`backend:8080`) becomes a
 * local proxy over the publishing service's tasks. Containers have no Service Connect
 * DNS here, so the ECS step rewrites the alias in task definition environment values to
 * the proxy's address.
 */

export interface ServiceConnectAlias {
  serviceLogicalId: string;
  serviceName: string;
  /** The container and port the alias reaches (the port mapping named `PortName`). */
  containerName: string;
  containerPort: number;
  /** `DnsName:Port` clients use, e.g. `backend:8080`. */
  dnsName: string;
  port: number;
}

/**
 * Every Service Connect client alias a service publishes (`ServiceConnectConfiguration.
 * Services[].ClientAliases`), joined to the container port mapping its `PortName` names.
 */
export function serviceConnectAliases(template: Template): ServiceConnectAlias[] {
  return resourcesOfType(template, "AWS::ECS::Service").flatMap(([id, resource]) => {
    const properties = resource.Properties ?? {};
    const connect = properties.ServiceConnectConfiguration;
    if (!isObject(connect ?? null) || (connect as JsonObject).Enabled === false) return [];
    const published = (connect as JsonObject).Services;
    const taskDefinitionId = isObject(properties.TaskDefinition ?? null)
      ? (properties.TaskDefinition as JsonObject).Ref
      : undefined;
    const containers =
      template.Resources[String(taskDefinitionId)]?.Properties?.ContainerDefinitions;
    if (!Array.isArray(published) || !Array.isArray(containers)) return [];
    return published.flatMap((entry): ServiceConnectAlias[] => {
      const { PortName: portName, ClientAliases: aliases } = entry as JsonObject;
      for (const container of containers as JsonObject[]) {
        const mappings = Array.isArray(container.PortMappings) ? container.PortMappings : [];
        const mapping = (mappings as JsonObject[]).find((m) => m.Name === portName);
        if (mapping === undefined) continue;
        return (Array.isArray(aliases) ? (aliases as JsonObject[]) : []).map((alias) => ({
          serviceLogicalId: id,
          serviceName: typeof properties.ServiceName === "string" ? properties.ServiceName : id,
          containerName: String(container.Name),
          containerPort: Number(mapping.ContainerPort),
          dnsName: String(alias.DnsName ?? portName),
          port: Number(alias.Port ?? mapping.ContainerPort),
        }));
      }
      return [];
    });
  });
}

/** Rewrites every `//<alias>:<port>` in a value to its proxy's `//127.0.0.1:<port>`. */
export type AliasRewriter = (value: string) => string;

export async function wireServiceConnect(wiring: Wiring): Promise<AliasRewriter> {
  const addresses = new Map<string, string>();
  for (const alias of serviceConnectAliases(wiring.template)) {
    const proxy = new LocalLoadBalancer({ name: `${alias.serviceLogicalId}-service-connect` });
    wiring.loadBalancers.set(alias.serviceLogicalId, proxy);
    const url = await proxy.listen();
    followService(wiring, proxy, alias);
    // Service Connect routes to every RUNNING task (Envoy ejects failing ones): any HTTP
    // answer counts as alive, checked often, so a new task is in rotation at once.
    proxy.configureHealthCheck({
      path: "/",
      matcher: "100-599",
      intervalMs: Math.max(100, wiring.clock.realMs(5)),
      timeoutMs: 1_000,
      healthyThreshold: 1,
      unhealthyThreshold: 2,
    });
    addresses.set(`//${alias.dnsName}:${alias.port}`, url.replace(/^http:/, ""));
  }
  return (value) =>
    [...addresses].reduce((text, [alias, address]) => text.replaceAll(alias, address), value);
}
