import { AwsError } from "../edge/errors";

/** CloudWatch's errors: awsQuery-compatible JSON, so each carries its query code too. */
export const cloudwatchErrors = {
  invalidValue: (message: string) =>
    new AwsError("InvalidParameterValueException", message, 400, "InvalidParameterValue"),
  missing: (name: string) =>
    new AwsError(
      "MissingRequiredParameterException",
      `The parameter ${name} is required.`,
      400,
      "MissingParameter",
    ),
  combination: (message: string) =>
    new AwsError(
      "InvalidParameterCombinationException",
      message,
      400,
      "InvalidParameterCombination",
    ),
  /**
   * ListMetrics' answer to a NextToken it did not issue: its model has no InvalidNextToken
   * (GetMetricData's has), only InvalidParameterValue for bad input.
   */
  invalidListToken: () =>
    new AwsError(
      "InvalidParameterValueException",
      "Request parameter NextToken is invalid.",
      400,
      "InvalidParameterValue",
    ),
  unknownOperation: (operation: string) =>
    new AwsError(
      "InvalidAction",
      `The local cloud's CloudWatch does not implement ${operation}.`,
      400,
      "InvalidAction",
    ),
};

/** StandardUnit, in the order AWS lists it in its error message. */
export const standardUnits = [
  "Seconds",
  "Microseconds",
  "Milliseconds",
  "Bytes",
  "Kilobytes",
  "Megabytes",
  "Gigabytes",
  "Terabytes",
  "Bits",
  "Kilobits",
  "Megabits",
  "Gigabits",
  "Terabits",
  "Percent",
  "Count",
  "Bytes/Second",
  "Kilobytes/Second",
  "Megabytes/Second",
  "Gigabytes/Second",
  "Terabytes/Second",
  "Bits/Second",
  "Kilobits/Second",
  "Megabits/Second",
  "Gigabits/Second",
  "Terabits/Second",
  "Count/Second",
  "None",
] as const;

export type StandardUnit = (typeof standardUnits)[number];

/** A Unit field: absent, or one of StandardUnit — anything else is AWS's InvalidParameterValue. */
export function readUnit(value: unknown, parameter: string): StandardUnit | undefined {
  if (value === undefined || value === null) return undefined;
  const unit = standardUnits.find((known) => known === value);
  if (unit === undefined) {
    throw cloudwatchErrors.invalidValue(
      `The parameter ${parameter} must be a value in the set [ ${standardUnits.join(", ")} ].`,
    );
  }
  return unit;
}
