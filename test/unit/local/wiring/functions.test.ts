import { describe, expect, it } from "vitest";
import { LocalClock } from "../../../../local/clock";
import { readTemplate } from "../../../../local/template/read";
import { functionRuntime } from "../../../../local/wiring/functions";
import { localResolveContext } from "../../../../local/wiring/names";

const template = readTemplate();
const context = localResolveContext(template, {
  parameters: { ConsolidateAfterSeconds: "600", MinHostAgeSeconds: "900" },
});
const options = {
  region: "us-east-1",
  accountId: "000000000000",
  endpoint: "http://127.0.0.1:1",
  logicalIds: ["HostConsolidatorFunction"],
};
const environmentOf = (clock?: LocalClock) =>
  functionRuntime(template, context, { ...options, clock }).definitions[0]?.environment;

describe("the functions' environment on the local clock", () => {
  it("gives …_SECONDS durations in real seconds, as the functions compare them with real timestamps", () => {
    expect(environmentOf(new LocalClock({ timeScale: 30 }))).toMatchObject({
      CONSOLIDATE_AFTER_SECONDS: "20",
      MIN_HOST_AGE_SECONDS: "30",
      // Not a duration: a host count.
      DISRUPTION_BUDGET: "1",
    });
  });

  it("leaves them as the template resolves them without a clock (npm run invoke) or at ×1", () => {
    const asWritten = { CONSOLIDATE_AFTER_SECONDS: "600", MIN_HOST_AGE_SECONDS: "900" };
    expect(environmentOf()).toMatchObject(asWritten);
    expect(environmentOf(new LocalClock({ timeScale: 1 }))).toMatchObject(asWritten);
  });
});
