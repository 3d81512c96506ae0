import { compilePattern } from "../eventbridge/pattern";
import type { LocalLambdaRuntime } from "../lambda/runtime";
import { Scheduler } from "../schedules/scheduler";
import { localAccountId, localRegion } from "../settings";
import { isObject, type Json, type JsonObject, type Template, withGlobals } from "../template/read";
import { type ResolveContext, resolveIntrinsics } from "../template/resolve";
import type { Wiring } from "./context";

/**
 * The functions' event sources, read from each function's `Events`: EventBridge rules
 * on the local bus, schedules on the local clock, DynamoDB streams from the streams
 * proxy — each delivering to the function through the local runtime, as Lambda's event
 * source would.
 */

export type FunctionTrigger =
  | {
      kind: "EventBridgeRule";
      name: string;
      ruleArn: string;
      pattern: JsonObject;
      enabled: boolean;
    }
  | { kind: "Schedule"; name: string; ruleArn: string; expression: string; enabled: boolean }
  | {
      kind: "DynamoDB";
      name: string;
      tableLogicalId: string;
      batchSize: number;
      batchingWindowMs: number;
      enabled: boolean;
    };

/**
 * A rule's `State` (EventBridgeRule, Schedule, ScheduleV2) or an event source
 * mapping's / schedule's `Enabled`, after conditions are resolved: a DISABLED rule
 * or a disabled mapping delivers nothing on AWS, so it delivers nothing here.
 */
function isEnabled(properties: JsonObject, context: ResolveContext): boolean {
  const resolved = (key: string) =>
    properties[key] === undefined ? undefined : resolveIntrinsics(properties[key], context);
  const state = resolved("State");
  const enabled = resolved("Enabled");
  if (enabled === false || enabled === "false") return false;
  return state !== "DISABLED";
}

/** A function's `Events`, resolved. Unsupported event types throw, naming the function. */
export function functionTriggers(
  template: Template,
  logicalId: string,
  context: ResolveContext,
): FunctionTrigger[] {
  const resource = template.Resources[logicalId];
  if (resource === undefined) throw new Error(`no resource ${logicalId}`);
  const events = withGlobals(template, resource).Events;
  if (!isObject(events ?? null)) return [];
  const region = context.refs["AWS::Region"] ?? localRegion;
  const accountId = context.refs["AWS::AccountId"] ?? localAccountId;
  const ruleArn = (name: string) =>
    `arn:aws:events:${region}:${accountId}:rule/${context.refs["AWS::StackName"]}-${logicalId}${name}`;
  return Object.entries(events as JsonObject).map(([name, event]): FunctionTrigger => {
    const { Type: type, Properties: raw } = event as { Type: string; Properties?: JsonObject };
    const properties = raw ?? {};
    switch (type) {
      case "EventBridgeRule":
      case "CloudWatchEvent":
        return {
          kind: "EventBridgeRule",
          name,
          ruleArn: ruleArn(name),
          pattern: resolveIntrinsics(properties.Pattern ?? {}, context) as JsonObject,
          enabled: isEnabled(properties, context),
        };
      case "Schedule":
      case "ScheduleV2": {
        const resolved = resolveIntrinsics(properties, context) as JsonObject;
        const expression = resolved.Schedule ?? resolved.ScheduleExpression;
        return {
          kind: "Schedule",
          name,
          ruleArn: ruleArn(name),
          expression: String(expression),
          enabled: isEnabled(properties, context),
        };
      }
      case "DynamoDB": {
        const stream = properties.Stream;
        const table =
          isObject(stream ?? null) && Array.isArray((stream as JsonObject)["Fn::GetAtt"])
            ? String(((stream as JsonObject)["Fn::GetAtt"] as Json[])[0])
            : undefined;
        if (table === undefined) {
          throw new Error(`${logicalId}.${name}: Stream must be !GetAtt <Table>.StreamArn locally`);
        }
        return {
          kind: "DynamoDB",
          name,
          tableLogicalId: table,
          batchSize: typeof properties.BatchSize === "number" ? properties.BatchSize : 100,
          batchingWindowMs:
            typeof properties.MaximumBatchingWindowInSeconds === "number"
              ? properties.MaximumBatchingWindowInSeconds * 1000
              : 0,
          enabled: isEnabled(properties, context),
        };
      }
      default:
        throw new Error(`${logicalId}.${name}: event type ${type} is not wired by the local cloud`);
    }
  });
}

/** Subscribes every function's triggers; returns the scheduler the schedules run on. */
export function wireTriggers(wiring: Wiring, lambda: LocalLambdaRuntime): Scheduler {
  const { cloud, names, report } = wiring;
  const scheduler = new Scheduler({
    account: cloud.accountId,
    region: cloud.region,
    clock: wiring.clock,
    onError: (rule, error) => report(`schedule ${rule.name}`, error),
  });
  wiring.onStop(() => scheduler.stop());
  for (const [id] of wiring.resources("AWS::Serverless::Function")) {
    for (const trigger of functionTriggers(wiring.template, id, names)) {
      const where = `${id}.${trigger.name}`;
      const invoke = (event: unknown) =>
        lambda.invoke(id, event).catch((error: unknown) => report(where, error));
      switch (trigger.kind) {
        case "EventBridgeRule": {
          if (!trigger.enabled) break;
          const matches = compilePattern(trigger.pattern);
          wiring.onStop(
            cloud.events.subscribe((event) => {
              if (matches(event)) void invoke(event);
            }),
          );
          break;
        }
        case "Schedule":
          if (trigger.enabled) {
            scheduler.add({
              name: where,
              ruleArn: trigger.ruleArn,
              expression: trigger.expression,
              target: invoke,
            });
          }
          break;
        case "DynamoDB": {
          if (!trigger.enabled) break;
          const tableName = names.refs[trigger.tableLogicalId] as string;
          wiring.onStop(
            cloud.dynamodb.subscribeStream(tableName, (records) => {
              for (let i = 0; i < records.length; i += trigger.batchSize) {
                void invoke({ Records: records.slice(i, i + trigger.batchSize) });
              }
            }),
          );
          break;
        }
      }
    }
  }
  return scheduler;
}
