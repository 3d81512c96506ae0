import { AwsError } from "../edge/errors";

/**
 * The errors EC2 Auto Scaling answers with, by the codes of its service model (the SDK
 * raises `ScalingActivityInProgressFault`, `InvalidNextToken`… for them, and
 * `AutoScalingServiceException` named `ValidationError` for the unmodelled one).
 */
export const autoScalingErrors = {
  validation: (message: string) => new AwsError("ValidationError", message),
  groupNotFound: () => new AwsError("ValidationError", "AutoScalingGroup name not found - null"),
  scalingActivityInProgress: (message: string) =>
    new AwsError("ScalingActivityInProgress", message),
  invalidNextToken: () => new AwsError("InvalidNextToken", "The token is invalid."),
  limitExceeded: (message: string) => new AwsError("LimitExceeded", message),
  invalidAction: (action: string) =>
    new AwsError("InvalidAction", `Could not find operation ${action} for version 2011-01-01`),
};
