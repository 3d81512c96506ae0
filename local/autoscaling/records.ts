/**
 * The state EC2 Auto Scaling keeps: groups, their instances, and the host launcher
 * each group starts its instances with.
 */

/** The lifecycle states this emulation reports, of the service model's LifecycleState. */
export type LifecycleState =
  | "Pending"
  | "InService"
  | "Terminating"
  | "Terminating:Wait"
  | "Terminated";

export interface LaunchTemplateSpec {
  launchTemplateId: string;
  launchTemplateName: string;
  version: string;
}

/** An instance as its host launcher sees it. */
export interface GroupInstance {
  readonly instanceId: string;
  readonly groupName: string;
  readonly availabilityZone: string;
  readonly instanceType: string;
}

/**
 * What runs on a group's instances — for the hosts, ECS: the agent registers the
 * instance as a container instance at boot, and leaves the cluster when it goes.
 */
export interface HostLauncher {
  /** The instance has booted. A rejection fails the launch (the instance is terminated). */
  launch(instance: GroupInstance): Promise<void>;
  /**
   * The instance is being terminated. With `drain`, a termination lifecycle hook holds
   * it in Terminating:Wait until this settles — ECS managed draining moves its tasks
   * elsewhere first; without, the instance simply goes.
   */
  terminate(instance: GroupInstance, options: { drain: boolean }): Promise<void>;
}

export interface InstanceRecord extends GroupInstance {
  lifecycleState: LifecycleState;
  healthStatus: "Healthy" | "Unhealthy";
  protectedFromScaleIn: boolean;
  launchTemplate: LaunchTemplateSpec;
  /** Clock time of the launch. */
  launchedAt: number;
  /** Whether the launcher was told it booted, and so must be told it goes. */
  booted: boolean;
}

export interface GroupTag {
  key: string;
  value: string;
  propagateAtLaunch: boolean;
}

/** A group as the wiring (or a test) creates it. */
export interface GroupSpec {
  name: string;
  minSize: number;
  maxSize: number;
  /** Default MinSize, as for a group whose template sets no DesiredCapacity. */
  desiredCapacity?: number;
  launchTemplate: LaunchTemplateSpec;
  instanceType: string;
  availabilityZones: readonly string[];
  vpcZoneIdentifier?: string;
  /** Seconds after a scaling activity before HonorCooldown lets the next one; AWS default 300. */
  defaultCooldownSeconds?: number;
  newInstancesProtectedFromScaleIn?: boolean;
  tags?: readonly GroupTag[];
  /**
   * A termination lifecycle hook's name, e.g. the one ECS managed draining puts on the
   * group: instances wait in Terminating:Wait while the launcher drains them.
   */
  terminationLifecycleHook?: string;
  launcher: HostLauncher;
}

export interface GroupRecord {
  name: string;
  arn: string;
  minSize: number;
  maxSize: number;
  desiredCapacity: number;
  defaultCooldownSeconds: number;
  launchTemplate: LaunchTemplateSpec;
  instanceType: string;
  availabilityZones: string[];
  vpcZoneIdentifier: string | undefined;
  newInstancesProtectedFromScaleIn: boolean;
  tags: GroupTag[];
  terminationLifecycleHook: string | undefined;
  createdTime: Date;
  /** Every instance not yet Terminated, in launch order. */
  instances: InstanceRecord[];
  launcher: HostLauncher;
  /** Clock time the last scaling activity ended, for HonorCooldown. */
  lastActivityEnd: number | undefined;
  /** Scaling activities still running. */
  activitiesInProgress: number;
}

/** Instances that count toward the group's capacity (not leaving). */
export function inCapacity(instance: InstanceRecord): boolean {
  return instance.lifecycleState === "Pending" || instance.lifecycleState === "InService";
}
