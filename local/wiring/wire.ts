import type { LocalCloud } from "../cloud";
import type { LocalLambdaRuntime } from "../lambda/runtime";
import type { LocalLoadBalancer } from "../loadbalancer/balancer";
import type { Scheduler } from "../schedules/scheduler";
import type { LocalStepFunctions } from "../stepfunctions/executions";
import { readTemplate, type Template } from "../template/read";
import type { HostSize } from "./capacity";
import { Wiring } from "./context";
import { wireEcs } from "./ecs";
import { wireFunctions } from "./functions";
import { followLoadBalancedServices, listenLoadBalancers } from "./load-balancers";
import { wireServiceConnect } from "./service-connect";
import { wireStateMachines } from "./state-machines";
import { createTables } from "./tables";
import { wireTriggers } from "./triggers";

/**
 * Applies template.yaml to a running local cloud, one step per kind of resource, in the
 * order CloudFormation would create them: load balancers, tables, Service Connect, the
 * ECS cluster, task definitions and services, the services' load balancer targets, the
 * functions and their triggers, the state machines.
 */

export interface WireOptions {
  stackName?: string;
  /** Parameter overrides, as `sam deploy --parameter-overrides` gives them. */
  parameters?: Readonly<Record<string, string>>;
  template?: Template;
  /** Extra variables for every function (log level, metrics off). */
  functionEnvironment?: Record<string, string>;
  /** What each Auto Scaling group instance registers with; default a t3.small's. */
  hostSize?: HostSize;
  onError?(where: string, error: unknown): void;
  /** The first load balancer's port (the next ones follow it); absent: ephemeral ports. */
  loadBalancerPort?: number;
}

export interface WiredCloud {
  lambda: LocalLambdaRuntime;
  stepFunctions: LocalStepFunctions;
  scheduler: Scheduler;
  loadBalancers: Map<string, LocalLoadBalancer>;
  /** Logical ID → local name/ARN, for the CLI and tests. */
  refs: Readonly<Record<string, string>>;
  attributes: Readonly<Record<string, string>>;
  stop(): Promise<void>;
}

export async function wireTemplate(
  cloud: LocalCloud,
  options: WireOptions = {},
): Promise<WiredCloud> {
  const template = options.template ?? readTemplate();
  const wiring = new Wiring(cloud, template, {
    stackName: options.stackName,
    parameters: options.parameters,
    report: options.onError ?? ((where, error) => console.error(`${where}:`, error)),
  });
  try {
    // Load balancers first: their URLs are the DNSName other resources refer to.
    await listenLoadBalancers(wiring, options.loadBalancerPort);
    await createTables(wiring);
    await wireEcs(
      wiring,
      await wireServiceConnect(wiring),
      options.hostSize ?? { cpu: 2048, memory: 1900 },
    );
    await followLoadBalancedServices(wiring);
    const lambda = wireFunctions(wiring, options.functionEnvironment);
    const scheduler = wireTriggers(wiring, lambda);
    const stepFunctions = wireStateMachines(wiring, lambda);
    return {
      lambda,
      stepFunctions,
      scheduler,
      loadBalancers: wiring.loadBalancers,
      refs: wiring.names.refs,
      attributes: wiring.names.attributes ?? {},
      stop: () => wiring.stop(),
    };
  } catch (error) {
    await wiring.stop();
    throw error;
  }
}
