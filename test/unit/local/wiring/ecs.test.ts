import { describe, expect, it } from "vitest";
import { type JsonObject, readTemplate } from "../../../../local/template/read";
import { resolveIntrinsics } from "../../../../local/template/resolve";
import { serviceInput, taskDefinitionInput } from "../../../../local/wiring/ecs";
import { localResolveContext } from "../../../../local/wiring/names";

const template = readTemplate();
const context = localResolveContext(template);
const properties = (id: string) =>
  resolveIntrinsics(template.Resources[id]?.Properties ?? {}, context) as JsonObject;

describe("the ECS inputs made from template.yaml", () => {
  it("renames CloudFormation's service properties to the API's and drops what is not modelled", () => {
    const input = serviceInput("WebService", properties("WebService"));
    expect(input).toMatchObject({
      serviceName: "web",
      cluster: "microscale",
      placementStrategy: [{ type: "spread", field: "attribute:ecs.availability-zone" }],
      loadBalancers: [expect.objectContaining({ containerName: "web", containerPort: 8080 })],
    });
    expect(input).not.toHaveProperty("placementStrategies");
    expect(input).not.toHaveProperty("serviceConnectConfiguration");
    expect(serviceInput("Unnamed", { Cluster: "c" }).serviceName).toBe("Unnamed");
  });

  it("points the Service Connect alias in a task definition at its local proxy", () => {
    const input = taskDefinitionInput(
      "microscale-WebTaskDefinition",
      properties("WebTaskDefinition"),
      (value) => value.replaceAll("//backend:8080", "//127.0.0.1:40000"),
    );
    const environment = input.containerDefinitions?.[0]?.environment ?? [];
    expect(environment).toContainEqual({ name: "BACKEND_URL", value: "http://127.0.0.1:40000" });
    expect(input.family).toBe("microscale-web");
  });

  it("names a task definition without a Family after the stack and its logical ID", () => {
    expect(taskDefinitionInput("microscale-Probe", {}, (value) => value).family).toBe(
      "microscale-Probe",
    );
  });
});

describe("the IAM ARNs the local names give task definitions", () => {
  it("are global (no Region) and name the role, as IAM's are", () => {
    const input = taskDefinitionInput(
      "microscale-WebTaskDefinition",
      properties("WebTaskDefinition"),
      (value) => value,
    );
    expect(input.executionRoleArn).toMatch(/^arn:aws:iam::\d{12}:role\/[\w+=,.@-]+$/);
  });
});
