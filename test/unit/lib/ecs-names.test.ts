import { describe, expect, it } from "vitest";
import {
  clusterName,
  formatEcsArn,
  parseEcsArn,
  sameCluster,
  serviceName,
  taskDefinitionName,
} from "../../../functions/lib/ecs-names";

const arn = (name: string, account = "111122223333") =>
  `arn:aws:ecs:us-east-1:${account}:cluster/${name}`;

describe("cluster and service names", () => {
  it("reads a cluster name from a name or an ARN", () => {
    expect(clusterName("prod")).toBe("prod");
    expect(clusterName(arn("prod"))).toBe("prod");
    expect(clusterName("arn:aws-cn:ecs:cn-north-1:111122223333:cluster/prod")).toBe("prod");
  });

  it("compares clusters by name, or by ARN when both are ARNs", () => {
    expect(sameCluster("prod", arn("prod"))).toBe(true);
    expect(sameCluster(arn("prod"), "prod")).toBe(true);
    expect(sameCluster(arn("prod"), arn("prod"))).toBe(true);
    expect(sameCluster(arn("prod"), arn("prod", "999999999999"))).toBe(false);
    expect(sameCluster("prod", arn("production"))).toBe(false);
  });

  it("reads a service name from either ARN format", () => {
    expect(serviceName("web")).toBe("web");
    expect(serviceName("arn:aws:ecs:us-east-1:111122223333:service/prod/web")).toBe("web");
    expect(serviceName("arn:aws:ecs:us-east-1:111122223333:service/web")).toBe("web");
  });
});

describe("ECS ARNs", () => {
  it("parses any ECS ARN into its parts and formats them back", () => {
    const task = "arn:aws:ecs:eu-west-1:111122223333:task/prod/0123456789abcdef0123456789abcdef";
    expect(parseEcsArn(task)).toEqual({
      partition: "aws",
      region: "eu-west-1",
      account: "111122223333",
      resourceType: "task",
      resource: "prod/0123456789abcdef0123456789abcdef",
    });
    const parts = parseEcsArn(task);
    expect(parts && formatEcsArn(parts)).toBe(task);
    expect(parseEcsArn("arn:aws:iam::111122223333:role/x")).toBeUndefined();
    expect(parseEcsArn("prod")).toBeUndefined();
  });

  it("reads a task definition's family and revision from a name or an ARN", () => {
    expect(taskDefinitionName("web")).toEqual({ family: "web" });
    expect(taskDefinitionName("web:3")).toEqual({ family: "web", revision: 3 });
    expect(taskDefinitionName("arn:aws:ecs:us-east-1:111122223333:task-definition/web:12")).toEqual(
      { family: "web", revision: 12 },
    );
    expect(taskDefinitionName("web:latest").revision).toBeNaN();
  });

  it("takes a cluster name only out of a cluster ARN", () => {
    expect(clusterName("arn:aws:ecs:us-east-1:111122223333:service/prod/web")).toBe(
      "arn:aws:ecs:us-east-1:111122223333:service/prod/web",
    );
  });
});
