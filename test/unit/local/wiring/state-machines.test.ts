import { describe, expect, it } from "vitest";
import { LocalClock } from "../../../../local/clock";
import { readTemplate } from "../../../../local/template/read";
import { localResolveContext } from "../../../../local/wiring/names";
import { scaledDurations, stateMachines } from "../../../../local/wiring/state-machines";

const template = readTemplate();
const context = localResolveContext(template, {
  loadBalancerDnsNames: { LoadBalancer: "127.0.0.1:18080" },
});

describe("the state machines read from template.yaml", () => {
  it("resolves the state machine's substitutions, the load balancer URL included", () => {
    const [machine] = stateMachines(template, context);
    expect(machine?.definitionUri).toBe("statemachines/deploy-and-benchmark.asl.json");
    expect(machine?.substitutions.LoadBalancerUrl).toBe("http://127.0.0.1:18080");
    expect(machine?.substitutions.BenchmarkRunnerFunctionArn).toMatch(
      /^arn:aws:lambda:us-east-1:000000000000:function:/,
    );
  });

  it("carries the template's Logging, the log group's ARN as CloudWatch Logs writes it", () => {
    const [machine] = stateMachines(template, context);
    expect(machine?.loggingConfiguration).toEqual({
      level: "ERROR",
      includeExecutionData: true,
      destinations: [
        {
          cloudWatchLogsLogGroup: {
            logGroupArn: expect.stringMatching(
              /^arn:aws:logs:us-east-1:000000000000:log-group:\/aws\/vendedlogs\/states\/[\w/-]+:\*$/,
            ),
          },
        },
      ],
    });
  });

  it("runs the …Seconds substitutions on the clock and leaves every other one as it is", () => {
    const substitutions = {
      PollIntervalSeconds: "15",
      MaxPollAttempts: "40",
      ClusterName: "microscale",
      NotANumberSeconds: "soon",
    };
    expect(scaledDurations(substitutions, new LocalClock({ timeScale: 5 }))).toEqual({
      PollIntervalSeconds: "3",
      MaxPollAttempts: "40",
      ClusterName: "microscale",
      NotANumberSeconds: "soon",
    });
  });
});
