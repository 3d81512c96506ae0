import { describe, expect, it } from "vitest";
import { readTemplate } from "../../../../local/template/read";
import { serviceConnectAliases } from "../../../../local/wiring/service-connect";

const template = readTemplate();

describe("the Service Connect aliases read from template.yaml", () => {
  it("finds the alias BackendService publishes, joined to its container port", () => {
    expect(serviceConnectAliases(template)).toEqual([
      {
        serviceLogicalId: "BackendService",
        serviceName: "backend",
        containerName: "backend",
        containerPort: 8080,
        dnsName: "backend",
        port: 8080,
      },
    ]);
  });
});
