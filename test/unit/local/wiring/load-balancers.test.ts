import { describe, expect, it } from "vitest";
import { readTemplate } from "../../../../local/template/read";
import { loadBalancedServices } from "../../../../local/wiring/load-balancers";

const template = readTemplate();

describe("the load-balanced services read from template.yaml", () => {
  it("joins WebService to its target group, health check and load balancer", () => {
    const web = loadBalancedServices(template).find((s) => s.serviceLogicalId === "WebService");
    expect(web).toMatchObject({
      serviceName: "web",
      containerName: "web",
      containerPort: 8080,
      targetGroupLogicalId: "WebTargetGroup",
      loadBalancerLogicalId: "LoadBalancer",
      targetGroup: expect.objectContaining({ HealthCheckPath: "/health" }),
    });
  });
});
