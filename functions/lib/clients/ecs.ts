import { ECSClient } from "@aws-sdk/client-ecs";
import { clientSettings } from "./settings";

/** The ECS client, created once per execution environment (see ./settings). */
export const ecs = new ECSClient(clientSettings);
