import type { LocalClock } from "../clock";
import type { LocalCloud } from "../cloud";
import type { LocalLoadBalancer } from "../loadbalancer/balancer";
import { type LocalClientConfig, localClientConfig } from "../settings";
import { templateUnderConditions } from "../template/conditions";
import { type JsonObject, type Resource, resourcesOfType, type Template } from "../template/read";
import { type ResolveContext, resolveIntrinsics } from "../template/resolve";
import { localResolveContext } from "./names";

/**
 * What every wiring step works with: the cloud it wires into, the template and the
 * local names it resolves to, the load balancer proxies wired so far, and the list of
 * what to stop when the wiring is torn down.
 */

export interface WiringOptions {
  stackName?: string;
  /** Parameter values, as a deploy's parameter overrides (over the local defaults). */
  parameters?: Readonly<Record<string, string>>;
  /** Where a trigger's failed invocation is reported. */
  report(where: string, error: unknown): void;
}

export class Wiring {
  /** Local values for every Ref and GetAtt. */
  readonly names: ResolveContext;
  /**
   * The template as CloudFormation would create it for these parameter values: only
   * the resources whose Condition holds, every `!If` decided. With ExistingClusterName
   * that is the controllers alone, wired against a cluster the template did not make.
   */
  readonly template: Template;
  /** SDK settings for the wiring's own calls to the edge, the calls a deploy would make. */
  readonly sdk: LocalClientConfig;
  readonly report: (where: string, error: unknown) => void;
  /** Every load balancer proxy wired, by the logical ID it stands in for. */
  readonly loadBalancers = new Map<string, LocalLoadBalancer>();
  private readonly stops: (() => unknown)[] = [];

  constructor(
    readonly cloud: LocalCloud,
    template: Template,
    options: WiringOptions,
  ) {
    this.names = localResolveContext(template, {
      region: cloud.region,
      accountId: cloud.accountId,
      stackName: options.stackName,
      parameters: options.parameters,
    });
    this.template = templateUnderConditions(template, this.names.conditions ?? {});
    this.sdk = localClientConfig(cloud.endpoint, { region: cloud.region });
    this.report = options.report;
    this.onStop(() => Promise.all([...this.loadBalancers.values()].map((lb) => lb.close())));
  }

  get clock(): LocalClock {
    return this.cloud.clock;
  }

  /** The template's resources of one type, as `[logicalId, resource]` in template order. */
  resources(type: string): [string, Resource][] {
    return resourcesOfType(this.template, type);
  }

  /** A resource's properties with every intrinsic resolved to local values. */
  properties(logicalId: string): JsonObject {
    return resolveIntrinsics(
      this.template.Resources[logicalId]?.Properties ?? {},
      this.names,
    ) as JsonObject;
  }

  /** Registers how to stop something a step started; stopping runs the list backwards. */
  onStop(stop: () => unknown): void {
    this.stops.push(stop);
  }

  /** Stops what was wired, the last first, as a stack unwinds. */
  async stop(): Promise<void> {
    for (const stop of this.stops.splice(0).reverse()) await stop();
  }
}
