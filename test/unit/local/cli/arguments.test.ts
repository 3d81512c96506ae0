import { describe, expect, it } from "vitest";
import {
  CommandLineError,
  type CommandSpec,
  parseCommandLine,
  usage,
} from "../../../../local/cli/arguments";

const local: CommandSpec = {
  name: "npm run local",
  summary: "Keeps the local cloud up.",
  flags: ["port", "time-scale", "hosts", "quiet"],
  timeScale: 1,
};
const start: CommandSpec = {
  ...local,
  name: "npm start",
  flags: ["port", "time-scale"],
  timeScale: 30,
};

function refusal(argv: string[], spec = local): string {
  try {
    parseCommandLine(argv, spec, {});
  } catch (error) {
    expect(error).toBeInstanceOf(CommandLineError);
    return (error as Error).message;
  }
  throw new Error(`${argv.join(" ")} was accepted`);
}

describe("the command line every command reads", () => {
  it("reads the flags a command takes, with the environment and the command's defaults", () => {
    expect(parseCommandLine(["--port", "4609", "--hosts", "0", "--quiet"], local, {})).toEqual({
      port: 4609,
      timeScale: 1,
      hosts: 0,
      quiet: true,
      positionals: [],
    });
    expect(parseCommandLine([], start, { MICROSCALE_PORT: "4700" })).toMatchObject({
      port: 4700,
      timeScale: 30,
    });
    expect(parseCommandLine(["--help"], start, {})).toBe("help");
  });

  it("refuses bad values and flags the command does not take, in one line each", () => {
    expect(refusal(["--port", "abc"])).toBe(
      "--port / MICROSCALE_PORT: expected a port number (0-65535), got 'abc'",
    );
    expect(refusal(["--hosts", "2.5"])).toBe(
      "--hosts: expected a whole number, 0 or more, got '2.5'",
    );
    expect(refusal(["--hosts", "-1"])).toBe(
      "--hosts: expected a whole number, 0 or more, got '-1'",
    );
    expect(refusal(["--time-scale", "0"])).toContain("expected a positive number");
    expect(refusal(["--hosts", "10"], start)).toContain("'--hosts'");
    expect(refusal(["--frobnicate"])).toContain("'--frobnicate'");
    expect(refusal(["extra"])).toBe("unexpected argument 'extra'");
    for (const argv of [["--port", "abc"], ["--frobnicate"], ["--hosts", "-1"]]) {
      expect(refusal(argv)).not.toContain("\n");
    }
  });

  it("says in its usage every flag it takes and the time scale", () => {
    const text = usage(local);
    for (const flag of ["--port", "--time-scale", "--hosts", "--quiet", "--help"]) {
      expect(text).toContain(flag);
    }
    expect(usage(start)).not.toContain("--hosts");
    expect(usage(start)).toContain("×30");
  });
});
