import type {
  CreateServiceResponse,
  DeleteServiceResponse,
  DescribeServicesResponse,
  ListServicesResponse,
  NetworkConfiguration,
  UpdateServiceResponse,
} from "@aws-sdk/client-ecs";
import { ecsErrors } from "../errors";
import type { EcsModel } from "../model/ecs-model";
import type { TaskDefinitionRecord } from "../model/records";
import { serviceShape } from "../shapes";
import { type Fields, givenOnly } from "./fields";
import { describeEach, paginate } from "./paging";
import {
  readCapacityProviderStrategy,
  readDeploymentConfiguration,
  readDesiredCount,
  readLaunchType,
  readLoadBalancers,
  readPlacement,
} from "./service-settings";

export function serviceOperations({
  arns,
  capacityProviders,
  clusters,
  services,
  taskDefinitions,
}: EcsModel) {
  const taskDefinition = (ref: string): TaskDefinitionRecord => {
    const found = taskDefinitions.find(ref);
    if (found === undefined) throw ecsErrors.client("TaskDefinition not found.");
    return found;
  };
  const activeService = (fields: Fields) =>
    services.active(clusters.active(fields.string("cluster")), fields.requiredString("service"));

  return {
    CreateService: (fields: Fields): CreateServiceResponse => {
      const cluster = clusters.active(fields.string("cluster"));
      const name = fields.requiredString("serviceName");
      if ((fields.string("schedulingStrategy") ?? "REPLICA") !== "REPLICA") {
        throw ecsErrors.invalidParameter(
          "The local cloud supports the REPLICA scheduling strategy only.",
        );
      }
      const service = services.create(cluster, {
        name,
        taskDefinition: taskDefinition(fields.requiredString("taskDefinition")),
        desiredCount: readDesiredCount(fields) ?? 0,
        deploymentConfiguration: readDeploymentConfiguration(
          fields.record("deploymentConfiguration"),
        ),
        placement: readPlacement(fields),
        capacityProviderStrategy: readCapacityProviderStrategy(fields, (strategy) =>
          capacityProviders.checkStrategy(cluster, strategy),
        ),
        ...readLaunchType(fields),
        loadBalancers: readLoadBalancers(fields),
        echoed: givenOnly({
          healthCheckGracePeriodSeconds: fields.integer("healthCheckGracePeriodSeconds"),
          roleArn: fields.string("roleArn"),
          // Kept as given: the local cloud runs no awsvpc networking.
          networkConfiguration: fields.record("networkConfiguration") as
            | NetworkConfiguration
            | undefined,
        }),
        tags: fields.tags(),
      });
      return { service: serviceShape(service, false) };
    },

    UpdateService: (fields: Fields): UpdateServiceResponse => {
      const service = activeService(fields);
      const desiredCount = readDesiredCount(fields);
      const reference = fields.string("taskDefinition");
      const configuration = fields.record("deploymentConfiguration");
      const placementGiven =
        fields.records("placementConstraints").length > 0 ||
        fields.records("placementStrategy").length > 0;
      services.update(service, {
        desiredCount,
        taskDefinition: reference === undefined ? undefined : taskDefinition(reference),
        deploymentConfiguration:
          configuration === undefined
            ? undefined
            : readDeploymentConfiguration(configuration, service.deploymentConfiguration),
        placement: placementGiven ? readPlacement(fields) : undefined,
        forceNewDeployment: fields.boolean("forceNewDeployment") === true,
      });
      return { service: serviceShape(service, false) };
    },

    DeleteService: (fields: Fields): DeleteServiceResponse => {
      const service = activeService(fields);
      services.delete(service, fields.boolean("force") === true);
      return { service: serviceShape(service, false) };
    },

    DescribeServices: (fields: Fields): DescribeServicesResponse => {
      const cluster = clusters.active(fields.string("cluster"));
      const { found, failures } = describeEach(
        "services",
        fields.strings("services"),
        10,
        (ref) => services.find(cluster, ref),
        (service) => serviceShape(service, fields.includesTags()),
        (ref) => (ref.startsWith("arn:") ? ref : arns.service(cluster.name, ref)),
      );
      return { services: found, failures };
    },

    ListServices: (fields: Fields): ListServicesResponse => {
      const cluster = clusters.active(fields.string("cluster"));
      const launchType = fields.string("launchType");
      const scheduling = fields.string("schedulingStrategy");
      // Every local service is an EC2 REPLICA service.
      const arns =
        (launchType !== undefined && launchType !== "EC2") ||
        (scheduling !== undefined && scheduling !== "REPLICA")
          ? []
          : [...cluster.services.values()]
              .filter((service) => service.status !== "INACTIVE")
              .map((service) => service.arn);
      const page = paginate(arns, fields, {
        operation: "ListServices",
        filters: {
          cluster: cluster.arn,
          launchType,
          schedulingStrategy: scheduling,
        },
        defaultMax: 10,
      });
      return { serviceArns: page.items, nextToken: page.nextToken };
    },
  };
}
