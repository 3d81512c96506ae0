import type { LoadBalancer } from "@aws-sdk/client-ecs";
import { serviceName } from "../../../functions/lib/ecs-names";
import type { EcsArns } from "../arns";
import { ecsErrors } from "../errors";
import { resourceNamePattern } from "./clusters";
import type { Deployments } from "./deployments";
import type {
  CapacityProviderStrategyItem,
  ClusterRecord,
  DeploymentConfiguration,
  ServicePlacement,
  ServiceRecord,
  ServiceSettingsEchoed,
  Tag,
  TaskDefinitionRecord,
} from "./records";

/** CreateService's input, its fields checked and its task definition found. */
export interface ServiceInput {
  name: string;
  taskDefinition: TaskDefinitionRecord;
  desiredCount: number;
  deploymentConfiguration: DeploymentConfiguration;
  placement: ServicePlacement;
  capacityProviderStrategy: CapacityProviderStrategyItem[];
  launchType?: "EC2";
  loadBalancers: LoadBalancer[];
  echoed: ServiceSettingsEchoed;
  tags: Tag[];
}

/** UpdateService's input: what is given changes. */
export interface ServiceUpdate {
  desiredCount?: number;
  taskDefinition?: TaskDefinitionRecord;
  deploymentConfiguration?: DeploymentConfiguration;
  placement?: ServicePlacement;
  forceNewDeployment: boolean;
}

/** Services: created with a first deployment, updated (a new deployment when the task definition changes), deleted. */
export class Services {
  constructor(
    private readonly deps: {
      arns: EcsArns;
      deployments: Deployments;
      /** Something changed that the scheduler should act on. */
      changed: () => void;
    },
  ) {}

  create(cluster: ClusterRecord, input: ServiceInput): ServiceRecord {
    const { name } = input;
    if (!resourceNamePattern.test(name)) {
      throw ecsErrors.invalidParameter(
        "Service name must have up to 255 letters (uppercase and lowercase), numbers, hyphens and underscores.",
      );
    }
    const existing = cluster.services.get(name);
    if (existing !== undefined && existing.status !== "INACTIVE") {
      throw ecsErrors.invalidParameter("Creation of service was not idempotent.");
    }
    const service: ServiceRecord = {
      arn: this.deps.arns.service(cluster.name, name),
      name,
      cluster,
      status: "ACTIVE",
      desiredCount: input.desiredCount,
      deployments: [],
      deploymentConfiguration: input.deploymentConfiguration,
      ...input.placement,
      capacityProviderStrategy: input.capacityProviderStrategy,
      ...(input.launchType === undefined ? {} : { launchType: input.launchType }),
      loadBalancers: input.loadBalancers,
      echoed: input.echoed,
      tags: input.tags,
      createdAt: new Date(),
      events: [],
      tasks: new Set(),
      steady: false,
      consecutiveFailures: 0,
      launchNotBefore: 0,
      lastPlacementFailureAt: 0,
      provisioning: 0,
    };
    cluster.services.set(name, service);
    this.deps.deployments.start(service, input.taskDefinition);
    this.deps.changed();
    return service;
  }

  update(service: ServiceRecord, update: ServiceUpdate): void {
    if (update.deploymentConfiguration !== undefined) {
      service.deploymentConfiguration = update.deploymentConfiguration;
    }
    if (update.placement !== undefined) Object.assign(service, update.placement);
    if (update.desiredCount !== undefined && update.desiredCount !== service.desiredCount) {
      service.desiredCount = update.desiredCount;
      service.steady = false;
    }
    const current = service.deployments[0]?.taskDefinition;
    const next = update.taskDefinition ?? current;
    if (next !== undefined && (next !== current || update.forceNewDeployment)) {
      this.deps.deployments.start(service, next);
    }
    this.deps.changed();
  }

  /** DRAINING until the scheduler has stopped its tasks, then INACTIVE. */
  delete(service: ServiceRecord, force: boolean): void {
    if (service.desiredCount > 0 && !force) {
      throw ecsErrors.invalidParameter("The service cannot be stopped while it is scaled above 0.");
    }
    service.desiredCount = 0;
    service.status = "DRAINING";
    this.deps.changed();
  }

  /** The service a name or ARN denotes in the cluster, in any status. */
  find(cluster: ClusterRecord, nameOrArn: string): ServiceRecord | undefined {
    return cluster.services.get(serviceName(nameOrArn));
  }

  /** The ACTIVE service UpdateService and DeleteService act on. */
  active(cluster: ClusterRecord, nameOrArn: string): ServiceRecord {
    const service = this.find(cluster, nameOrArn);
    if (service === undefined) throw ecsErrors.serviceNotFound();
    if (service.status !== "ACTIVE") throw ecsErrors.serviceNotActive();
    return service;
  }
}
