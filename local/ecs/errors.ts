import { AwsError } from "../edge/errors";

/** ECS's error names, as in the ECS API reference; the SDK raises the class of each name. */
export const ecsErrors = {
  client: (message: string) => new AwsError("ClientException", message),
  invalidParameter: (message: string) => new AwsError("InvalidParameterException", message),
  /** A nextToken ECS did not issue for this listing, in ECS's words ("Invalid token bogus"). */
  invalidToken: (token: string) =>
    new AwsError("InvalidParameterException", `Invalid token ${token}`),
  clusterNotFound: () => new AwsError("ClusterNotFoundException", "Cluster not found."),
  clusterContainsServices: () =>
    new AwsError(
      "ClusterContainsServicesException",
      "The Cluster cannot be deleted while Services are active.",
    ),
  clusterContainsContainerInstances: () =>
    new AwsError(
      "ClusterContainsContainerInstancesException",
      "The Cluster cannot be deleted while Container Instances are active or draining.",
    ),
  serviceNotFound: () => new AwsError("ServiceNotFoundException", "Service not found."),
  serviceNotActive: () => new AwsError("ServiceNotActiveException", "Service was not ACTIVE."),
  resourceNotFound: (message = "The specified resource wasn't found.") =>
    new AwsError("ResourceNotFoundException", message),
};
