/**
 * EventBridge schedule expressions: `rate(value unit)` and the six-field
 * `cron(minutes hours day-of-month month day-of-week year)`, evaluated in UTC as
 * EventBridge rules are ("Creating an Amazon EventBridge rule that runs on a
 * schedule"). `L`, `W` and `#` are valid on AWS but not supported here: they are
 * rejected with a message saying so, never silently misread.
 */

export class InvalidScheduleExpressionError extends Error {
  override readonly name = "InvalidScheduleExpressionError";
  constructor(
    readonly expression: string,
    problem: string,
  ) {
    super(`schedule expression "${expression}": ${problem}`);
  }
}

export interface RateSchedule {
  kind: "rate";
  expression: string;
  periodMs: number;
}

export interface CronSchedule {
  kind: "cron";
  expression: string;
  minutes: ReadonlySet<number>;
  hours: ReadonlySet<number>;
  /** Undefined when the field is `?` (day of week decides). */
  daysOfMonth: ReadonlySet<number> | undefined;
  months: ReadonlySet<number>;
  /** 1 = SUN … 7 = SAT as on AWS; undefined when `?`. */
  daysOfWeek: ReadonlySet<number> | undefined;
  /** Undefined when `*`. */
  years: ReadonlySet<number> | undefined;
}

export type Schedule = RateSchedule | CronSchedule;

const MINUTE = 60_000;
const unitMs: Record<string, number> = { minute: MINUTE, hour: 60 * MINUTE, day: 1440 * MINUTE };

export function parseScheduleExpression(expression: string): Schedule {
  const text = expression.trim();
  const rate = /^rate\((.*)\)$/s.exec(text);
  if (rate) return parseRate(text, rate[1] ?? "");
  const cron = /^cron\((.*)\)$/s.exec(text);
  if (cron) return parseCron(text, cron[1] ?? "");
  throw new InvalidScheduleExpressionError(text, "expected rate(...) or cron(...)");
}

function parseRate(expression: string, body: string): RateSchedule {
  const match = /^\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*$/.exec(body);
  if (!match) {
    throw new InvalidScheduleExpressionError(
      expression,
      "expected rate(<positive integer> minute(s)|hour(s)|day(s))",
    );
  }
  const value = Number(match[1]);
  const unit = match[2] as string;
  if (value <= 0) throw new InvalidScheduleExpressionError(expression, "value must be positive");
  // AWS is strict about grammar: 1 takes the singular, anything else the plural.
  const singular = !unit.endsWith("s");
  if ((value === 1) !== singular) {
    throw new InvalidScheduleExpressionError(
      expression,
      value === 1
        ? `use the singular unit for 1 ("1 ${unit.replace(/s$/, "")}")`
        : "use the plural unit",
    );
  }
  return { kind: "rate", expression, periodMs: value * (unitMs[unit.replace(/s$/, "")] as number) };
}

const monthNames = [
  "JAN",
  "FEB",
  "MAR",
  "APR",
  "MAY",
  "JUN",
  "JUL",
  "AUG",
  "SEP",
  "OCT",
  "NOV",
  "DEC",
];
const dayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const fields: FieldSpec[] = [
  { name: "minutes", min: 0, max: 59 },
  { name: "hours", min: 0, max: 23 },
  { name: "day-of-month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: monthNames },
  { name: "day-of-week", min: 1, max: 7, names: dayNames },
  { name: "year", min: 1970, max: 2199 },
];

function parseCron(expression: string, body: string): CronSchedule {
  const parts = body.trim().split(/\s+/);
  if (parts.length !== 6) {
    throw new InvalidScheduleExpressionError(
      expression,
      `cron needs 6 fields (minutes hours day-of-month month day-of-week year), got ${parts.length}`,
    );
  }
  const [minutes, hours, dom, month, dow, year] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  // AWS: exactly one of day-of-month and day-of-week is `?`.
  if ((dom === "?") === (dow === "?")) {
    throw new InvalidScheduleExpressionError(
      expression,
      "exactly one of day-of-month and day-of-week must be ?",
    );
  }
  const field = (text: string, index: number) =>
    parseField(expression, text, fields[index] as FieldSpec);
  return {
    kind: "cron",
    expression,
    minutes: field(minutes, 0),
    hours: field(hours, 1),
    daysOfMonth: dom === "?" ? undefined : field(dom, 2),
    months: field(month, 3),
    daysOfWeek: dow === "?" ? undefined : field(dow, 4),
    years: year === "*" ? undefined : field(year, 5),
  };
}

function parseField(expression: string, text: string, spec: FieldSpec): Set<number> {
  const fail = (problem: string): never => {
    throw new InvalidScheduleExpressionError(expression, `${spec.name} "${text}": ${problem}`);
  };
  if (/[LW#]/.test(text.replace(/[A-Z]{3}/g, (name) => (spec.names?.includes(name) ? "" : name)))) {
    fail("L, W and # are valid on AWS but not supported by the local scheduler");
  }
  const values = new Set<number>();
  const value = (token: string): number => {
    const named = spec.names?.indexOf(token.toUpperCase()) ?? -1;
    const number = named >= 0 ? named + spec.min : /^\d+$/.test(token) ? Number(token) : Number.NaN;
    if (!Number.isInteger(number) || number < spec.min || number > spec.max) {
      fail(`"${token}" is not in ${spec.min}-${spec.max}`);
    }
    return number;
  };
  for (const item of text.split(",")) {
    const [range, stepText, ...extra] = item.split("/");
    if (range === undefined || range === "" || extra.length > 0) fail("malformed list item");
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) fail(`step "${stepText}" must be a positive integer`);
    let first: number;
    let last: number;
    if (range === "*") {
      first = spec.min;
      last = spec.max;
    } else if (range?.includes("-")) {
      const [from, to, ...rest] = range.split("-");
      if (rest.length > 0 || from === undefined || to === undefined) fail("malformed range");
      first = value(from as string);
      last = value(to as string);
      if (last < first) fail("a range must go upwards");
    } else {
      first = value(range as string);
      // `5/15` means from 5 to the end every 15.
      last = stepText === undefined ? first : spec.max;
    }
    for (let n = first; n <= last; n += step) values.add(n);
  }
  return values;
}

/**
 * The first time strictly after `afterMs` (epoch milliseconds) at which the
 * schedule fires. A rate fires every period after `anchorMs` (when the rule was
 * created); a cron fires at the start of every matching UTC minute.
 */
export function nextFireTime(schedule: Schedule, afterMs: number, anchorMs = afterMs): number {
  if (schedule.kind === "rate") {
    const periods = Math.floor((afterMs - anchorMs) / schedule.periodMs) + 1;
    return anchorMs + Math.max(1, periods) * schedule.periodMs;
  }
  return nextCronTime(schedule, afterMs);
}

function nextCronTime(schedule: CronSchedule, afterMs: number): number {
  const t = new Date(Math.floor(afterMs / MINUTE) * MINUTE + MINUTE);
  const lastYear = schedule.years ? Math.max(...schedule.years) : t.getUTCFullYear() + 10;
  while (t.getUTCFullYear() <= lastYear) {
    if (schedule.years && !schedule.years.has(t.getUTCFullYear())) {
      t.setUTCFullYear(t.getUTCFullYear() + 1, 0, 1);
      t.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!schedule.months.has(t.getUTCMonth() + 1)) {
      t.setUTCMonth(t.getUTCMonth() + 1, 1);
      t.setUTCHours(0, 0, 0, 0);
      continue;
    }
    const dayMatches = schedule.daysOfMonth
      ? schedule.daysOfMonth.has(t.getUTCDate())
      : (schedule.daysOfWeek as ReadonlySet<number>).has(t.getUTCDay() + 1);
    if (!dayMatches) {
      t.setUTCDate(t.getUTCDate() + 1);
      t.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!schedule.hours.has(t.getUTCHours())) {
      t.setUTCHours(t.getUTCHours() + 1, 0, 0, 0);
      continue;
    }
    if (!schedule.minutes.has(t.getUTCMinutes())) {
      t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
      continue;
    }
    return t.getTime();
  }
  throw new InvalidScheduleExpressionError(schedule.expression, "never fires again");
}
