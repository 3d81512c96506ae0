import { describe, expect, it } from "vitest";
import { parseTemplate, readTemplate, type Template } from "../../local/template/read";
import { danglingReferences } from "../../local/template/references";
import { checkResourceSpec, staleAllowlistEntries } from "./checks/resource-spec";

const template = readTemplate();
const broken = (mutate: (copy: Template) => void): Template => {
  const copy = structuredClone(template);
  mutate(copy);
  return copy;
};

describe("template.yaml", () => {
  it("parses with CloudFormation short tags into the long form", () => {
    expect(template.Transform).toBe("AWS::Serverless-2016-10-31");
    expect(template.Resources.Cluster?.Type).toBe("AWS::ECS::Cluster");
    expect(
      parseTemplate("Resources:\n  A:\n    Type: X\n    Properties:\n      B: !GetAtt C.D.E\n"),
    ).toMatchObject({ Resources: { A: { Properties: { B: { "Fn::GetAtt": ["C", "D.E"] } } } } });
  });

  it("declares every logical ID the design fixes", () => {
    const expected: Record<string, string> = {
      Cluster: "AWS::ECS::Cluster",
      AgentService: "AWS::ECS::Service",
      WebService: "AWS::ECS::Service",
      BackendService: "AWS::ECS::Service",
      HighPriorityService: "AWS::ECS::Service",
      LowPriorityService: "AWS::ECS::Service",
      DemandTable: "AWS::DynamoDB::Table",
      BenchmarkResultsTable: "AWS::DynamoDB::Table",
      DesiredCountSyncFunction: "AWS::Serverless::Function",
      DemandRandomizerFunction: "AWS::Serverless::Function",
      PriorityScalerFunction: "AWS::Serverless::Function",
      BenchmarkRunnerFunction: "AWS::Serverless::Function",
      DeployAndBenchmarkStateMachine: "AWS::Serverless::StateMachine",
    };
    for (const [id, type] of Object.entries(expected)) {
      expect(template.Resources[id]?.Type, id).toBe(type);
    }
  });

  it("tags the per-host service and gives it distinctInstance placement", () => {
    const agent = template.Resources.AgentService?.Properties ?? {};
    expect(agent.Tags).toContainEqual({ Key: "microscale:per-host", Value: "true" });
    expect(agent.PlacementConstraints).toContainEqual({ Type: "distinctInstance" });
  });

  it("streams demand writes with old and new images", () => {
    expect(template.Resources.DemandTable?.Properties?.StreamSpecification).toEqual({
      StreamViewType: "NEW_AND_OLD_IMAGES",
    });
  });

  describe("references", () => {
    it("every !Ref, !GetAtt and !Sub variable names a parameter or resource", () => {
      expect(danglingReferences(template)).toEqual([]);
    });

    it("catches a reference to a resource that is gone", () => {
      const copy = broken((t) => {
        delete t.Resources.DemandTable;
      });
      const targets = danglingReferences(copy).map((ref) => ref.target);
      expect(targets).toContain("DemandTable");
    });
    it("catches an undefined !Sub variable and ignores ${!Literal}", () => {
      const copy = broken((t) => {
        (t.Resources.Cluster?.Properties as Record<string, unknown>).ClusterName = {
          "Fn::Sub": "${Nope}-${!Literal}",
        };
      });
      expect(danglingReferences(copy).map((ref) => ref.target)).toEqual(["Nope"]);
    });
  });

  describe("resource specification", () => {
    it("every resource type and property name is in the CloudFormation spec (or the allowlist)", () => {
      expect(checkResourceSpec(template)).toEqual([]);
    });

    it("the allowlist only holds properties the spec still lacks", () => {
      expect(staleAllowlistEntries()).toEqual([]);
    });

    it("catches a misspelt property, a nested one and an unknown type", () => {
      const copy = broken((t) => {
        const cluster = t.Resources.Cluster?.Properties as Record<string, unknown>;
        cluster.ClusterNmae = "x";
        const table = t.Resources.DemandTable?.Properties as Record<string, unknown>;
        table.StreamSpecification = { ViewType: "NEW_IMAGE" };
        t.Resources.Bogus = { Type: "AWS::ECS::Clutser" };
      });
      const problems = checkResourceSpec(copy).map((p) => p.problem);
      expect(problems).toContain("AWS::ECS::Cluster has no property ClusterNmae");
      expect(problems).toContain(
        "AWS::DynamoDB::Table.StreamSpecification has no property ViewType",
      );
      expect(problems).toContain("unknown resource type AWS::ECS::Clutser");
    });

    it("catches a misspelt property inside a SAM event", () => {
      const copy = broken((t) => {
        const fn = t.Resources.DemandRandomizerFunction?.Properties as Record<string, unknown>;
        const events = fn.Events as Record<string, { Properties: Record<string, unknown> }>;
        const tick = events.Tick;
        if (tick) tick.Properties.Schedul = "rate(1 minute)";
      });
      expect(checkResourceSpec(copy).map((p) => p.problem)).toContain(
        "AWS::Serverless::Function.ScheduleEvent has no property Schedul",
      );
    });
  });
});
