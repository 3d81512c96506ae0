import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { clientSettings } from "./settings";

/** The CloudWatch client, created once per execution environment (see ./settings). */
export const cloudwatch = new CloudWatchClient(clientSettings);
