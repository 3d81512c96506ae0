import { describe, expect, it } from "vitest";
import { parseTemplate } from "../../../../local/template/read";
import { resolveIntrinsics, UnresolvedReferenceError } from "../../../../local/template/resolve";

const context = {
  refs: { "AWS::Region": "us-east-1", Stage: "dev", Cluster: "microscale" },
  attributes: { "Cluster.Arn": "arn:aws:ecs:us-east-1:111122223333:cluster/microscale" },
  conditions: { IsProd: false, ImagesPushed: true },
  mappings: { StageSettings: { dev: { LogRetentionDays: 7 } } },
};

function properties(yaml: string) {
  const template = parseTemplate(`Resources:\n  R:\n    Type: X\n    Properties:\n${yaml}`);
  return template.Resources.R?.Properties ?? {};
}

describe("resolveIntrinsics", () => {
  it("resolves Ref, GetAtt, Sub (with its own variables and ${!Literal}) and FindInMap", () => {
    const resolved = resolveIntrinsics(
      properties(
        [
          "      A: !Ref Cluster",
          "      B: !GetAtt Cluster.Arn",
          "      C: !Sub ${Cluster}-${AWS::Region}-${Cluster.Arn}-${!Literal}",
          '      D: !Sub ["${X}/${Stage}", { X: !Ref Cluster }]',
          "      E: !FindInMap [StageSettings, !Ref Stage, LogRetentionDays]",
        ].join("\n"),
      ),
      context,
    );
    expect(resolved).toEqual({
      A: "microscale",
      B: "arn:aws:ecs:us-east-1:111122223333:cluster/microscale",
      C: "microscale-us-east-1-arn:aws:ecs:us-east-1:111122223333:cluster/microscale-${Literal}",
      D: "microscale/dev",
      E: 7,
    });
  });

  it("leaves out a property or list item that is !Ref AWS::NoValue, directly or through !If", () => {
    const resolved = resolveIntrinsics(
      properties(
        [
          "      Kept: 2",
          "      Gone: !If [ImagesPushed, !Ref AWS::NoValue, 0]",
          "      Count: !If [IsProd, !Ref AWS::NoValue, 0]",
          "      List: [a, !Ref AWS::NoValue, b]",
        ].join("\n"),
      ),
      context,
    );
    expect(resolved).toEqual({ Kept: 2, Count: 0, List: ["a", "b"] });
  });

  it("throws naming a reference it has no value for", () => {
    expect(() => resolveIntrinsics({ Ref: "Nope" }, context)).toThrow(UnresolvedReferenceError);
    expect(() => resolveIntrinsics({ "Fn::GetAtt": ["Nope", "Arn"] }, context)).toThrow(
      /!GetAtt Nope\.Arn/,
    );
  });
});
