import { cloudwatchErrors } from "./errors";

/** A time series as metric math sees it: value by timestamp (ms). */
export type Points = Map<number, number>;

type Value =
  | { kind: "scalar"; value: number }
  | { kind: "series"; points: Points }
  | { kind: "list"; series: Points[] };

type Node =
  | { kind: "number"; value: number }
  | { kind: "id"; name: string }
  | { kind: "string"; value: string }
  | { kind: "negate"; operand: Node }
  | { kind: "binary"; operator: "+" | "-" | "*" | "/" | "^"; left: Node; right: Node }
  | { kind: "call"; name: string; args: Node[] }
  | { kind: "array"; items: Node[] };

/** What an expression can refer to: the other queries' results, by Id. */
export interface MathContext {
  series(id: string): Points | undefined;
  /** The Ids of the request's MetricStat queries, for METRICS(). */
  metricIds(): string[];
  /** Every timestamp of the request's results, where FILL puts its value. */
  timestamps(): number[];
}

/** The metric math functions the local cloud evaluates; AWS's others are refused by name. */
const functions = ["ABS", "AVG", "FILL", "MAX", "METRICS", "MIN", "SUM"] as const;

const invalid = (id: string, why: string) =>
  cloudwatchErrors.invalidValue(`Error in expression '${id}': ${why}`);

/** Evaluates one query's Expression to a time series (a scalar is spread over every timestamp). */
export function evaluate(id: string, source: string, context: MathContext): Points {
  const node = new Parser(id, source).parse();
  const value = new Evaluator(id, context).value(node);
  if (value.kind === "series") return value.points;
  if (value.kind === "scalar") {
    return new Map(context.timestamps().map((time) => [time, value.value]));
  }
  throw invalid(id, "an expression must return a single time series, not an array.");
}

/** The Ids an expression refers to, so queries are evaluated in dependency order. */
export function references(id: string, source: string): string[] {
  const found: string[] = [];
  const walk = (node: Node): void => {
    if (node.kind === "id") found.push(node.name);
    else if (node.kind === "negate") walk(node.operand);
    else if (node.kind === "binary") {
      walk(node.left);
      walk(node.right);
    } else if (node.kind === "call") node.args.forEach(walk);
    else if (node.kind === "array") node.items.forEach(walk);
  };
  walk(new Parser(id, source).parse());
  return found;
}

class Parser {
  private readonly tokens: string[];
  private index = 0;

  constructor(
    private readonly id: string,
    source: string,
  ) {
    const tokens = source.match(/\s*("[^"]*"|\d+(?:\.\d+)?|[A-Za-z_][A-Za-z0-9_]*|\S)/g) ?? [];
    this.tokens = tokens.map((token) => token.trim());
  }

  parse(): Node {
    if (this.tokens.length === 0) throw invalid(this.id, "the expression is empty.");
    const node = this.sum();
    if (this.index < this.tokens.length) {
      throw invalid(this.id, `unexpected '${this.tokens[this.index]}'.`);
    }
    return node;
  }

  private peek(): string | undefined {
    return this.tokens[this.index];
  }

  private take(expected?: string): string {
    const token = this.tokens[this.index];
    if (token === undefined || (expected !== undefined && token !== expected)) {
      throw invalid(this.id, `expected '${expected ?? "a value"}'.`);
    }
    this.index++;
    return token;
  }

  private sum(): Node {
    let left = this.product();
    for (let op = this.peek(); op === "+" || op === "-"; op = this.peek()) {
      this.take();
      left = { kind: "binary", operator: op, left, right: this.product() };
    }
    return left;
  }

  private product(): Node {
    let left = this.power();
    for (let op = this.peek(); op === "*" || op === "/"; op = this.peek()) {
      this.take();
      left = { kind: "binary", operator: op, left, right: this.power() };
    }
    return left;
  }

  private power(): Node {
    const base = this.unary();
    if (this.peek() !== "^") return base;
    this.take();
    return { kind: "binary", operator: "^", left: base, right: this.power() };
  }

  private unary(): Node {
    if (this.peek() === "-") {
      this.take();
      return { kind: "negate", operand: this.unary() };
    }
    return this.primary();
  }

  private primary(): Node {
    const token = this.take();
    if (token === "(") {
      const inner = this.sum();
      this.take(")");
      return inner;
    }
    if (token === "[") return { kind: "array", items: this.list("]") };
    if (/^\d/.test(token)) return { kind: "number", value: Number(token) };
    if (token.startsWith('"')) return { kind: "string", value: token.slice(1, -1) };
    if (/^[a-z]/.test(token)) return { kind: "id", name: token };
    if (/^[A-Z_]+$/.test(token) && this.peek() === "(") {
      this.take("(");
      return { kind: "call", name: token, args: this.list(")") };
    }
    throw invalid(this.id, `unexpected '${token}'.`);
  }

  private list(close: string): Node[] {
    const items: Node[] = [];
    if (this.peek() === close) {
      this.take();
      return items;
    }
    for (;;) {
      items.push(this.sum());
      if (this.take() === close) return items;
      if (this.tokens[this.index - 1] !== ",") throw invalid(this.id, `expected '${close}'.`);
    }
  }
}

class Evaluator {
  constructor(
    private readonly id: string,
    private readonly context: MathContext,
  ) {}

  value(node: Node): Value {
    switch (node.kind) {
      case "number":
        return { kind: "scalar", value: node.value };
      case "string":
        throw invalid(this.id, "a string is only an argument of METRICS().");
      case "id": {
        const points = this.context.series(node.name);
        if (points === undefined) throw invalid(this.id, `unknown metric id '${node.name}'.`);
        return { kind: "series", points };
      }
      case "negate":
        return this.binary("*", { kind: "scalar", value: -1 }, this.value(node.operand));
      case "binary":
        return this.binary(node.operator, this.value(node.left), this.value(node.right));
      case "array":
        return { kind: "list", series: node.items.map((item) => this.series(this.value(item))) };
      case "call":
        return this.call(node.name, node.args);
    }
  }

  private series(value: Value): Points {
    if (value.kind === "series") return value.points;
    throw invalid(this.id, "an array holds time series only.");
  }

  private binary(operator: string, left: Value, right: Value): Value {
    const apply = (a: number, b: number) =>
      operator === "+"
        ? a + b
        : operator === "-"
          ? a - b
          : operator === "*"
            ? a * b
            : operator === "/"
              ? a / b
              : a ** b;
    if (left.kind === "list" || right.kind === "list") {
      throw invalid(this.id, `'${operator}' takes time series or numbers, not arrays.`);
    }
    if (left.kind === "scalar" && right.kind === "scalar") {
      return { kind: "scalar", value: apply(left.value, right.value) };
    }
    const points: Points = new Map();
    if (left.kind === "series" && right.kind === "series") {
      // A timestamp missing from either side has no result, as on AWS.
      for (const [time, a] of left.points) {
        const b = right.points.get(time);
        if (b !== undefined) points.set(time, apply(a, b));
      }
    } else if (left.kind === "series" && right.kind === "scalar") {
      for (const [time, a] of left.points) points.set(time, apply(a, right.value));
    } else if (left.kind === "scalar" && right.kind === "series") {
      for (const [time, b] of right.points) points.set(time, apply(left.value, b));
    }
    return { kind: "series", points };
  }

  private call(name: string, args: Node[]): Value {
    const known = functions.find((fn) => fn === name);
    if (known === undefined) {
      throw invalid(this.id, `the local cloud does not evaluate the function ${name}.`);
    }
    if (known === "METRICS") {
      const filter = args[0]?.kind === "string" ? args[0].value : "";
      const ids = this.context.metricIds().filter((metricId) => metricId.includes(filter));
      return {
        kind: "list",
        series: ids.map((metricId) => this.context.series(metricId) ?? new Map()),
      };
    }
    const values = args.map((arg) => this.value(arg));
    const [first, second] = values;
    if (first === undefined) throw invalid(this.id, `${name} needs an argument.`);
    if (known === "ABS") return this.binaryMap(first, Math.abs);
    if (known === "FILL") {
      if (second?.kind !== "scalar" || first.kind !== "series") {
        throw invalid(this.id, "FILL takes a time series and a number.");
      }
      const points: Points = new Map(first.points);
      for (const time of this.context.timestamps()) {
        if (!points.has(time)) points.set(time, second.value);
      }
      return { kind: "series", points: new Map([...points].sort(([a], [b]) => a - b)) };
    }
    const reduce = (numbers: number[]) =>
      known === "SUM"
        ? numbers.reduce((a, b) => a + b, 0)
        : known === "AVG"
          ? numbers.reduce((a, b) => a + b, 0) / numbers.length
          : known === "MIN"
            ? Math.min(...numbers)
            : Math.max(...numbers);
    // One time series in: one number (over its timestamps). An array in: a series, per timestamp.
    if (first.kind === "series") {
      const numbers = [...first.points.values()];
      return { kind: "scalar", value: numbers.length === 0 ? Number.NaN : reduce(numbers) };
    }
    if (first.kind === "scalar") return first;
    const byTime = new Map<number, number[]>();
    for (const series of first.series) {
      for (const [time, value] of series) byTime.set(time, [...(byTime.get(time) ?? []), value]);
    }
    const points: Points = new Map(
      [...byTime].sort(([a], [b]) => a - b).map(([time, numbers]) => [time, reduce(numbers)]),
    );
    return { kind: "series", points };
  }

  private binaryMap(value: Value, map: (n: number) => number): Value {
    if (value.kind === "scalar") return { kind: "scalar", value: map(value.value) };
    if (value.kind === "series") {
      return { kind: "series", points: new Map([...value.points].map(([t, v]) => [t, map(v)])) };
    }
    return {
      kind: "list",
      series: value.series.map((s) => new Map([...s].map(([t, v]) => [t, map(v)]))),
    };
  }
}
