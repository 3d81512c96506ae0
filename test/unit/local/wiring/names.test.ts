import { describe, expect, it } from "vitest";
import { readTemplate } from "../../../../local/template/read";
import { localResolveContext } from "../../../../local/wiring/names";

const template = readTemplate();

describe("the local names for template.yaml", () => {
  it("names the stack's resources in the local account, as CloudFormation would", () => {
    const { refs, attributes } = localResolveContext(template);
    expect(refs["AWS::StackName"]).toBe("microscale");
    expect(refs.Cluster).toBe("microscale");
    expect(attributes?.["Cluster.Arn"]).toBe(
      "arn:aws:ecs:us-east-1:000000000000:cluster/microscale",
    );
    expect(refs.WebTaskDefinition).toBe(
      "arn:aws:ecs:us-east-1:000000000000:task-definition/microscale-web:1",
    );
    expect(refs.WebService).toBe("arn:aws:ecs:us-east-1:000000000000:service/microscale/web");
    expect(attributes?.["DemandTable.StreamArn"]).toMatch(
      /^arn:aws:dynamodb:us-east-1:000000000000:table\/[^/]+\/stream\/local$/,
    );
  });

  it("follows a region, account and stack name given to it", () => {
    const { refs } = localResolveContext(template, {
      region: "eu-west-1",
      accountId: "111122223333",
      stackName: "other",
    });
    expect(refs.WebService).toBe("arn:aws:ecs:eu-west-1:111122223333:service/other/web");
  });

  it("takes the images as pushed locally, and parameter overrides over defaults", () => {
    expect(localResolveContext(template).refs.ImagesPushed).toBe("true");
    const overridden = localResolveContext(template, {
      parameters: { ExistingClusterName: "theirs" },
    });
    expect(overridden.refs.ExistingClusterName).toBe("theirs");
    expect(overridden.conditions?.CreatesCluster).toBe(false);
    expect(localResolveContext(template).conditions?.CreatesCluster).toBe(true);
  });
});
