import { describe, expect, it } from "vitest";
import { clusterName, sameCluster, serviceName } from "../../../functions/lib/ecs-names";

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
