/**
 * The ECS cluster query language, the subset `memberOf` placement constraints and
 * `ListContainerInstances --filter` use:
 *
 *   subject operator [argument]   joined by `and`/`&&`, `or`/`||`, `not`/`!`, `( … )`
 *
 * Subjects: `attribute:<name>`, `ec2InstanceId`, `agentConnected`, `agentVersion`,
 * `runningTasksCount`, `registeredAt`, `task:group`. Operators: `==`/`equals`,
 * `!=`/`not_equals`, `>`, `>=`, `<`, `<=` (and their word forms), `exists`,
 * `!exists`/`not_exists`, `in`/`not_in` `[a, b]`, `=~`/`matches`, `!~`/`not_matches`.
 * Values may use `*` as a wildcard with `==`, as in AWS's examples.
 */

export type Operator =
  | "=="
  | "!="
  | ">"
  | ">="
  | "<"
  | "<="
  | "exists"
  | "!exists"
  | "in"
  | "not_in"
  | "=~"
  | "!~";

export type Expression =
  | { kind: "and" | "or"; left: Expression; right: Expression }
  | { kind: "not"; operand: Expression }
  | { kind: "comparison"; subject: string; operator: Operator; values: string[] };

/** What an expression is evaluated against: a subject's value(s), or undefined when absent. */
export type SubjectValues = (subject: string) => string | readonly string[] | undefined;

export class QueryLanguageError extends Error {
  override readonly name = "QueryLanguageError";
}

const operatorWords: Record<string, Operator> = {
  "==": "==",
  equals: "==",
  "!=": "!=",
  not_equals: "!=",
  ">": ">",
  greater_than: ">",
  ">=": ">=",
  greater_than_equal: ">=",
  "<": "<",
  less_than: "<",
  "<=": "<=",
  less_than_equal: "<=",
  exists: "exists",
  "!exists": "!exists",
  not_exists: "!exists",
  in: "in",
  "!in": "not_in",
  not_in: "not_in",
  "=~": "=~",
  matches: "=~",
  "!~": "!~",
  not_matches: "!~",
};

const subjects =
  /^(attribute:[A-Za-z0-9_.:\-/]+|ec2InstanceId|agentConnected|agentVersion|runningTasksCount|registeredAt|task:group)$/;

/** Tokens: punctuation, operators, and words (anything else up to whitespace or punctuation). */
function tokenize(source: string): string[] {
  const tokens: string[] = [];
  const pattern =
    /\s*(\(|\)|\[|\]|,|&&|\|\||==|!=|>=|<=|=~|!~|!exists|!in\b|>|<|!|[^\s()[\],&|!=<>~]+)/y;
  let index = 0;
  while (index < source.length) {
    if (/^\s*$/.test(source.slice(index))) break;
    pattern.lastIndex = index;
    const match = pattern.exec(source);
    if (match === null || match[1] === undefined) {
      throw new QueryLanguageError(`unexpected character at ${index} in "${source}"`);
    }
    tokens.push(match[1]);
    index = pattern.lastIndex;
  }
  return tokens;
}

export function parseExpression(source: string): Expression {
  const tokens = tokenize(source);
  let position = 0;
  const peek = () => tokens[position];
  const next = () => {
    const token = tokens[position++];
    if (token === undefined) throw new QueryLanguageError(`unexpected end of "${source}"`);
    return token;
  };
  const expect = (token: string) => {
    const got = next();
    if (got !== token) throw new QueryLanguageError(`expected "${token}", got "${got}"`);
  };

  function or(): Expression {
    let left = and();
    while (peek() === "or" || peek() === "||") {
      next();
      left = { kind: "or", left, right: and() };
    }
    return left;
  }
  function and(): Expression {
    let left = not();
    while (peek() === "and" || peek() === "&&") {
      next();
      left = { kind: "and", left, right: not() };
    }
    return left;
  }
  function not(): Expression {
    if (peek() === "not" || peek() === "!") {
      next();
      return { kind: "not", operand: not() };
    }
    if (peek() === "(") {
      next();
      const inner = or();
      expect(")");
      return inner;
    }
    return comparison();
  }
  function comparison(): Expression {
    const subject = next();
    if (!subjects.test(subject)) throw new QueryLanguageError(`unknown subject "${subject}"`);
    const word = next();
    const operator = operatorWords[word];
    if (operator === undefined) throw new QueryLanguageError(`unknown operator "${word}"`);
    if (operator === "exists" || operator === "!exists") {
      return { kind: "comparison", subject, operator, values: [] };
    }
    if (operator === "in" || operator === "not_in") {
      expect("[");
      const values = [next()];
      while (peek() === ",") {
        next();
        values.push(next());
      }
      expect("]");
      return { kind: "comparison", subject, operator, values };
    }
    const value = next();
    if (["(", ")", "[", "]", ",", "and", "or", "&&", "||"].includes(value)) {
      throw new QueryLanguageError(`operator "${word}" needs a value, got "${value}"`);
    }
    return { kind: "comparison", subject, operator, values: [value] };
  }

  if (tokens.length === 0) throw new QueryLanguageError("empty expression");
  const expression = or();
  if (position !== tokens.length) {
    throw new QueryLanguageError(`unexpected "${tokens[position]}" in "${source}"`);
  }
  return expression;
}

const cache = new Map<string, Expression>();

/** Parses once per distinct source: filters and constraints repeat on every call and pass. */
export function compileExpression(source: string): Expression {
  let expression = cache.get(source);
  if (expression === undefined) {
    expression = parseExpression(source);
    if (cache.size > 1_000) cache.clear();
    cache.set(source, expression);
  }
  return expression;
}

function wildcard(pattern: string, anchored = true): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*");
  return new RegExp(anchored ? `^${escaped}$` : escaped);
}

function compare(actual: string, expected: string): number {
  const a = Number(actual);
  const b = Number(expected);
  if (Number.isFinite(a) && Number.isFinite(b) && actual.trim() !== "" && expected.trim() !== "") {
    return a - b;
  }
  const dateA = Date.parse(actual);
  const dateB = Date.parse(expected);
  if (Number.isFinite(dateA) && Number.isFinite(dateB)) return dateA - dateB;
  return actual < expected ? -1 : actual > expected ? 1 : 0;
}

function matchesOne(actual: string, operator: Operator, values: string[]): boolean {
  const [value = ""] = values;
  switch (operator) {
    case "==":
      return value.includes("*") ? wildcard(value).test(actual) : actual === value;
    case "!=":
      return !(value.includes("*") ? wildcard(value).test(actual) : actual === value);
    case ">":
      return compare(actual, value) > 0;
    case ">=":
      return compare(actual, value) >= 0;
    case "<":
      return compare(actual, value) < 0;
    case "<=":
      return compare(actual, value) <= 0;
    case "in":
      return values.includes(actual);
    case "not_in":
      return !values.includes(actual);
    case "=~":
      return new RegExp(`^(?:${value})$`).test(actual);
    case "!~":
      return !new RegExp(`^(?:${value})$`).test(actual);
    default:
      return false;
  }
}

export function evaluate(expression: Expression, valuesOf: SubjectValues): boolean {
  switch (expression.kind) {
    case "and":
      return evaluate(expression.left, valuesOf) && evaluate(expression.right, valuesOf);
    case "or":
      return evaluate(expression.left, valuesOf) || evaluate(expression.right, valuesOf);
    case "not":
      return !evaluate(expression.operand, valuesOf);
    case "comparison": {
      const raw = valuesOf(expression.subject);
      if (expression.operator === "exists") return raw !== undefined;
      if (expression.operator === "!exists") return raw === undefined;
      if (raw === undefined) {
        // An absent attribute is "not equal to" / "not in" anything.
        return (
          expression.operator === "!=" ||
          expression.operator === "not_in" ||
          expression.operator === "!~"
        );
      }
      const actuals = typeof raw === "string" ? [raw] : raw;
      // A multi-valued subject (task:group) matches when any value does; negations when none does.
      const negative =
        expression.operator === "!=" ||
        expression.operator === "not_in" ||
        expression.operator === "!~";
      return negative
        ? actuals.every((actual) => matchesOne(actual, expression.operator, expression.values))
        : actuals.some((actual) => matchesOne(actual, expression.operator, expression.values));
    }
  }
}
