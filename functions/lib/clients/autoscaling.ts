import { AutoScalingClient } from "@aws-sdk/client-auto-scaling";
import { clientSettings } from "./settings";

/** The EC2 Auto Scaling client, created once per execution environment (see ./settings). */
export const autoscaling = new AutoScalingClient(clientSettings);
