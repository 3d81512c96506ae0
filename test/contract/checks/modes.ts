import { templateUnderConditions } from "../../../local/template/conditions";
import type { Template } from "../../../local/template/read";
import type { ResolveContext } from "../../../local/template/resolve";
import { localResolveContext } from "../../../local/wiring/names";

/** The account, region and stack the samples in events/ were captured from. */
export const sampleStack = {
  accountId: "111122223333",
  region: "us-east-1",
  stackName: "microscale",
} as const;

/**
 * The template's modes, each as the parameter values a user deploys it with: the demo
 * stack, and the controllers only on a cluster the stack did not create. The cluster
 * is named like the samples' (events/ come from a stack named `microscale`), so the
 * same samples drive every mode.
 */
export interface Mode {
  name: string;
  parameters: Readonly<Record<string, string>>;
  /** The stack creates the cluster, its hosts and services. */
  createsCluster: boolean;
}

const ownCluster = { ExistingClusterName: sampleStack.stackName };

export const modes: readonly Mode[] = [
  { name: "demo stack, first deploy", parameters: {}, createsCluster: true },
  { name: "demo stack, images pushed", parameters: { ImagesPushed: "true" }, createsCluster: true },
  {
    name: "demo stack in an existing VPC, new ECS account",
    parameters: {
      ImagesPushed: "true",
      ExistingVpcId: "vpc-0123456789abcdef0",
      ExistingSubnetIds: "subnet-0123456789abcdef0,subnet-0123456789abcdef1",
      CreateEcsServiceLinkedRole: "true",
    },
    createsCluster: true,
  },
  { name: "own cluster", parameters: ownCluster, createsCluster: false },
  {
    name: "own cluster, sync for every cluster",
    parameters: { ...ownCluster, PerHostClusters: "*" },
    createsCluster: false,
  },
  {
    name: "own cluster and its Auto Scaling group",
    parameters: { ...ownCluster, ExistingAutoScalingGroupName: "microscale-hosts" },
    createsCluster: false,
  },
  {
    name: "own cluster with priority services",
    parameters: {
      ...ownCluster,
      HighPriorityServiceName: "high-priority",
      LowPriorityServiceName: "low-priority",
    },
    createsCluster: false,
  },
];

export function modeNamed(name: string): Mode {
  const mode = modes.find((candidate) => candidate.name === name);
  if (mode === undefined) throw new Error(`no mode ${name}`);
  return mode;
}

/**
 * Values for every parameter (AWS defaults, then the mode's), pseudo parameter and
 * resource, and the conditions they decide. `ImagesPushed` is given because the local
 * cloud's own default for it is `true`.
 */
export function modeContext(template: Template, mode: Mode): ResolveContext {
  const { accountId, region, stackName } = sampleStack;
  return localResolveContext(template, {
    region,
    accountId,
    stackName,
    parameters: { ImagesPushed: "false", ...mode.parameters },
  });
}

/** What CloudFormation creates in this mode: only resources whose condition holds, `!If`s decided. */
export function templateInMode(template: Template, mode: Mode): Template {
  return templateUnderConditions(template, modeContext(template, mode).conditions ?? {});
}
