import { describe, expect, it } from "vitest";
import { type Json, parseTemplate, readTemplate, type Template } from "../../local/template/read";
import { danglingReferences } from "../../local/template/references";
import { localResolveContext } from "../../local/wiring/names";
import { brokenCopy } from "./checks/copies";

const template = readTemplate();
const broken = (mutate: (copy: Template) => void): Template => brokenCopy(template, mutate);

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
      HostConsolidatorFunction: "AWS::Serverless::Function",
      HostAutoScalingGroup: "AWS::AutoScaling::AutoScalingGroup",
      HostCapacityProvider: "AWS::ECS::CapacityProvider",
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

  describe("findings of the review against the AWS docs", () => {
    const props = (id: string) => template.Resources[id]?.Properties ?? {};

    it("the Auto Scaling group sets no DesiredCapacity, so an update never resets the hosts", () => {
      expect(props("HostAutoScalingGroup")).not.toHaveProperty("DesiredCapacity");
      expect(template.Parameters).not.toHaveProperty("DesiredHosts");
      expect(props("HostAutoScalingGroup").MinSize).toEqual({ Ref: "MinHosts" });
    });

    it("hosts answer IMDS one hop away only, and require IMDSv2 tokens", () => {
      const data = props("HostLaunchTemplate").LaunchTemplateData as Record<string, Json>;
      expect(data.MetadataOptions).toEqual({ HttpTokens: "required", HttpPutResponseHopLimit: 1 });
    });

    it("alarms on tasks waiting for hosts (PROVISIONING) through CapacityProviderReservation", () => {
      expect(template.Resources).not.toHaveProperty("PendingTasksAlarm");
      expect(props("ProvisioningTasksAlarm")).toMatchObject({
        Namespace: "AWS/ECS/ManagedScaling",
        MetricName: "CapacityProviderReservation",
        Threshold: 100,
        ComparisonOperator: "GreaterThanThreshold",
      });
    });

    it("reserves no scaler concurrency by default, which a new account could not", () => {
      expect(template.Parameters?.PriorityScalerConcurrency?.Default).toBe(0);
      const { ReservedConcurrentExecutions } = props("PriorityScalerFunction");
      expect(ReservedConcurrentExecutions).toEqual({
        "Fn::If": [
          "ReservesScalerConcurrency",
          { Ref: "PriorityScalerConcurrency" },
          { Ref: "AWS::NoValue" },
        ],
      });
    });

    it("reserves one host consolidator only where asked (or locally), as the scaler", () => {
      expect(template.Parameters?.HostConsolidatorConcurrency?.Default).toBe(0);
      expect(props("HostConsolidatorFunction").ReservedConcurrentExecutions).toEqual({
        "Fn::If": [
          "ReservesConsolidatorConcurrency",
          { Ref: "HostConsolidatorConcurrency" },
          { Ref: "AWS::NoValue" },
        ],
      });
      const local = localResolveContext(template);
      expect(local.conditions?.ReservesConsolidatorConcurrency).toBe(true);
    });

    it("can create the ECS service-linked role, and the cluster waits for it", () => {
      expect(template.Resources.EcsServiceLinkedRole).toMatchObject({
        Type: "AWS::IAM::ServiceLinkedRole",
        Condition: "CreatesEcsServiceLinkedRole",
        DeletionPolicy: "Retain",
        Properties: { AWSServiceName: "ecs.amazonaws.com" },
      });
      for (const id of ["Cluster", "HostCapacityProvider"]) {
        expect(template.Resources[id]?.DependsOn, id).toBe("EcsServiceLinkedRoleReady");
      }
      expect(template.Resources.EcsServiceLinkedRoleReady?.Metadata).toEqual({
        ServiceLinkedRole: {
          "Fn::If": ["CreatesEcsServiceLinkedRole", { Ref: "EcsServiceLinkedRole" }, ""],
        },
      });
    });
  });
});
