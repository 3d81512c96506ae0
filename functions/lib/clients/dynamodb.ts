import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { clientSettings } from "./settings";

/** The DynamoDB client, created once per execution environment (see ./settings). */
export const dynamodb = new DynamoDBClient(clientSettings);
