import { describe, expect, it } from "vitest";
import {
  evaluate,
  parseExpression,
  QueryLanguageError,
  type SubjectValues,
} from "../../../../functions/lib/placement/query-language";

function instance(values: Record<string, string | string[]>): SubjectValues {
  return (subject) => values[subject];
}

const micro = instance({
  "attribute:ecs.instance-type": "t3.micro",
  "attribute:ecs.availability-zone": "us-east-1a",
  "attribute:stack": "prod",
  ec2InstanceId: "i-0abc",
  agentConnected: "true",
  runningTasksCount: "3",
  "task:group": ["service:web", "service:agent"],
});

function matches(expression: string, values: SubjectValues = micro): boolean {
  return evaluate(parseExpression(expression), values);
}

describe("cluster query language", () => {
  it("compares attributes with == / != and their word forms", () => {
    expect(matches("attribute:ecs.instance-type == t3.micro")).toBe(true);
    expect(matches("attribute:ecs.instance-type equals t3.small")).toBe(false);
    expect(matches("attribute:ecs.instance-type != t3.small")).toBe(true);
    expect(matches("attribute:ecs.instance-type not_equals t3.micro")).toBe(false);
  });

  it("supports wildcards with == and regular expressions with =~", () => {
    expect(matches("attribute:ecs.instance-type == t3.*")).toBe(true);
    expect(matches("attribute:ecs.instance-type =~ t3\\..*")).toBe(true);
    expect(matches("attribute:ecs.instance-type !~ m5.*")).toBe(true);
  });

  it("tests lists with in / not_in", () => {
    expect(matches("attribute:ecs.availability-zone in [us-east-1a, us-east-1b]")).toBe(true);
    expect(matches("attribute:ecs.availability-zone not_in [us-east-1a]")).toBe(false);
  });

  it("tests presence with exists / !exists", () => {
    expect(matches("attribute:stack exists")).toBe(true);
    expect(matches("attribute:gpu exists")).toBe(false);
    expect(matches("attribute:gpu !exists")).toBe(true);
    expect(matches("attribute:gpu != yes")).toBe(true);
  });

  it("combines with and / or / not and parentheses, and binds and tighter than or", () => {
    expect(
      matches("attribute:stack == dev or attribute:stack == prod and agentConnected == true"),
    ).toBe(true);
    expect(
      matches("(attribute:stack == dev or attribute:stack == prod) && not attribute:gpu exists"),
    ).toBe(true);
    expect(matches("!(attribute:stack == prod)")).toBe(false);
    expect(matches("attribute:stack == dev || ec2InstanceId == i-0abc")).toBe(true);
  });

  it("compares numbers and matches multi-valued task:group", () => {
    expect(matches("runningTasksCount > 2")).toBe(true);
    expect(matches("runningTasksCount <= 2")).toBe(false);
    expect(matches("task:group == service:web")).toBe(true);
    expect(matches("task:group != service:web")).toBe(false);
  });

  it.each([
    "",
    "attribute:stack",
    "attribute:stack == ",
    "attribute:stack ==== prod",
    "color == red",
    "(attribute:stack == prod",
    "attribute:stack in [a, b",
    "attribute:stack == prod extra",
  ])("rejects %j", (expression) => {
    expect(() => parseExpression(expression)).toThrow(QueryLanguageError);
  });
});
