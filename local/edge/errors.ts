/**
 * An AWS service error as the JSON protocols carry it: the SDK reads `__type` (and the
 * `x-amzn-errortype` header) and raises the exception class of that name, so a local
 * error is caught with the same `instanceof` as on AWS.
 */
export class AwsError extends Error {
  constructor(
    /** The error shape's name, e.g. `ClusterNotFoundException`. */
    readonly type: string,
    message: string,
    readonly statusCode = 400,
    /** CloudWatch (awsQuery-compatible JSON) also sends the query error code. */
    readonly queryCode?: string,
  ) {
    super(message);
    this.name = type;
  }
}
