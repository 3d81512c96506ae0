import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../functions/demand-randomizer/config";
import { ConfigurationError } from "../../../functions/lib/errors";

const table = "microscale-DemandTable";

describe("demand randomizer configuration", () => {
  it("has the documented defaults", () => {
    expect(loadConfig({ DEMAND_TABLE: table })).toEqual({
      table,
      max: 9,
      delta: 3,
      seed: undefined,
      resetOnCorrupt: false,
      maxAttempts: 5,
    });
  });

  it.each([
    [{}, "DEMAND_TABLE"],
    [{ DEMAND_TABLE: table, DEMAND_MAX: "nine" }, "DEMAND_MAX"],
    [{ DEMAND_TABLE: table, DEMAND_MAX: "0" }, "DEMAND_MAX"],
    [{ DEMAND_TABLE: table, DEMAND_DELTA: "0" }, "DEMAND_DELTA"],
    [{ DEMAND_TABLE: table, DEMAND_RESET_ON_CORRUPT: "yes" }, "DEMAND_RESET_ON_CORRUPT"],
  ])("rejects %o naming %s", (env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigurationError);
    expect(() => loadConfig(env)).toThrow(variable);
  });
});
