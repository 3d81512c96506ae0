import { describe, expect, it, vi } from "vitest";
import { LocalLambdaRuntime } from "../../../../local/lambda/runtime";
import { LocalStepFunctions } from "../../../../local/stepfunctions/executions";
import { SdkIntegration } from "../../../../local/stepfunctions/sdk-integration";

// Counts how often a definition is turned into a runner (each one runs asl-validator).
const constructed = vi.hoisted(() => ({ count: 0 }));
vi.mock("aws-local-stepfunctions", async (importOriginal) => {
  const original = await importOriginal<typeof import("aws-local-stepfunctions")>();
  class CountingStateMachine extends original.StateMachine {
    constructor(...args: ConstructorParameters<typeof original.StateMachine>) {
      super(...args);
      constructed.count++;
    }
  }
  return { ...original, StateMachine: CountingStateMachine };
});

describe("a state machine's definition is validated once, not per execution", () => {
  it("three executions of one machine build one runner", async () => {
    // Prepare: a machine with nothing but a Pass state, no edge needed.
    const region = "us-east-1";
    const accountId = "000000000000";
    const endpoint = "http://127.0.0.1:9";
    const sdk = new SdkIntegration({ endpoint, region });
    const stepFunctions = new LocalStepFunctions({
      region,
      accountId,
      lambda: new LocalLambdaRuntime({ region, accountId, endpoint }),
      sdk,
    });
    const arn = stepFunctions.createStateMachine({
      name: "stack-Pass",
      definitionText: JSON.stringify({
        StartAt: "Done",
        States: { Done: { Type: "Pass", End: true } },
      }),
    });

    try {
      // Act
      const executions = [1, 2, 3].map((n) =>
        stepFunctions.startExecution(arn, JSON.stringify({ n })),
      );
      await Promise.all(executions.map((execution) => execution.done));

      // Assess: every execution ran to its end on the one runner.
      expect(executions.map((execution) => execution.status)).toEqual([
        "SUCCEEDED",
        "SUCCEEDED",
        "SUCCEEDED",
      ]);
      expect(executions.map((execution) => execution.output)).toEqual([
        '{"n":1}',
        '{"n":2}',
        '{"n":3}',
      ]);
      expect(constructed.count).toBe(1);
    } finally {
      await stepFunctions.stopAll();
      sdk.destroy();
    }
  });
});
