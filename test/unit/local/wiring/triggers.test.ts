import { describe, expect, it } from "vitest";
import { validateEventPattern } from "../../../../local/eventbridge/pattern-validation";
import { functionFromTemplate } from "../../../../local/lambda/definition";
import { parseScheduleExpression } from "../../../../local/schedules/expression";
import { readTemplate, resourcesOfType } from "../../../../local/template/read";
import { localResolveContext } from "../../../../local/wiring/names";
import { functionTriggers } from "../../../../local/wiring/triggers";

const template = readTemplate();
const context = localResolveContext(template);

describe("the functions and triggers read from template.yaml", () => {
  const functionIds = resourcesOfType(template, "AWS::Serverless::Function").map(([id]) => id);

  it("finds the five functions", () => {
    expect([...functionIds].sort()).toEqual([
      "BenchmarkRunnerFunction",
      "DemandRandomizerFunction",
      "DesiredCountSyncFunction",
      "HostConsolidatorFunction",
      "PriorityScalerFunction",
    ]);
  });

  it.each(functionIds)("%s: environment resolves to local names and the source exists", (id) => {
    const definition = functionFromTemplate(template, id, context);
    expect(definition.modulePath).toMatch(/functions\/[a-z-]+\/index\.ts$/);
    for (const value of Object.values(definition.environment)) {
      expect(value).not.toMatch(/Fn::|"Ref"/);
    }
  });

  it.each(functionIds)("%s: every trigger is valid (patterns, schedules, streams)", (id) => {
    for (const trigger of functionTriggers(template, id, context)) {
      if (trigger.kind === "EventBridgeRule")
        expect(() => validateEventPattern(trigger.pattern)).not.toThrow();
      if (trigger.kind === "Schedule")
        expect(() => parseScheduleExpression(trigger.expression)).not.toThrow();
      if (trigger.kind === "DynamoDB")
        expect(template.Resources[trigger.tableLogicalId]?.Type).toBe("AWS::DynamoDB::Table");
    }
  });

  it("subscribes the per-host sync to this cluster's container instance changes", () => {
    const triggers = functionTriggers(template, "DesiredCountSyncFunction", context);
    expect(triggers).toContainEqual(
      expect.objectContaining({
        kind: "EventBridgeRule",
        pattern: {
          source: ["aws.ecs"],
          "detail-type": ["ECS Container Instance State Change"],
          detail: { clusterArn: [context.attributes?.["Cluster.Arn"]] },
        },
      }),
    );
  });

  it("runs the host consolidator every minute and on this cluster's stopped tasks and host changes", () => {
    const triggers = functionTriggers(template, "HostConsolidatorFunction", context);
    const clusterArn = context.attributes?.["Cluster.Arn"];
    expect(triggers).toEqual([
      expect.objectContaining({ kind: "Schedule", expression: "rate(1 minute)", enabled: true }),
      expect.objectContaining({
        kind: "EventBridgeRule",
        enabled: true,
        pattern: {
          source: ["aws.ecs"],
          "detail-type": ["ECS Task State Change"],
          detail: { clusterArn: [clusterArn], lastStatus: ["STOPPED"] },
        },
      }),
      expect.objectContaining({
        kind: "EventBridgeRule",
        enabled: true,
        pattern: {
          source: ["aws.ecs"],
          "detail-type": ["ECS Container Instance State Change"],
          detail: { clusterArn: [clusterArn] },
        },
      }),
    ]);
    // One round at a time locally, as the prod environment reserves it.
    expect(functionFromTemplate(template, "HostConsolidatorFunction", context)).toMatchObject({
      reservedConcurrency: 1,
    });
  });
});
