import { XMLParser } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { AwsError } from "../../../../local/edge/errors";
import {
  members,
  QueryParams,
  queryError,
  queryResponse,
} from "../../../../local/edge/query-protocol";

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@_" });
const namespace = "http://autoscaling.amazonaws.com/doc/2011-01-01/";

describe("the query protocol", () => {
  it("reads flattened lists and structures as the SDK sends them", () => {
    const params = QueryParams.parse(
      "Action=DescribeAutoScalingGroups&Version=2011-01-01" +
        "&AutoScalingGroupNames.member.1=a&AutoScalingGroupNames.member.2=b" +
        "&Filters.member.1.Name=tag%3Aowner&Filters.member.1.Values.member.1=me" +
        "&InstanceIds=&HonorCooldown=true&MaxRecords=10",
    );
    expect(params.strings("AutoScalingGroupNames")).toEqual(["a", "b"]);
    expect(params.strings("InstanceIds")).toEqual([]);
    expect(params.strings("ActivityIds")).toBeUndefined();
    const [filter, ...rest] = params.structs("Filters");
    expect(rest).toEqual([]);
    expect(filter?.string("Name")).toBe("tag:owner");
    expect(filter?.strings("Values")).toEqual(["me"]);
    expect(params.boolean("HonorCooldown")).toBe(true);
    expect(params.integer("MaxRecords")).toBe(10);
  });

  it("names a missing or malformed member in a ValidationError, as AWS words it", () => {
    const params = QueryParams.parse("DesiredCapacity=two&ShouldDecrementDesiredCapacity=yes");
    expect(() => params.requiredString("AutoScalingGroupName")).toThrow(
      "Value null at 'autoScalingGroupName' failed to satisfy constraint: Member must not be null",
    );
    expect(() => params.integer("DesiredCapacity")).toThrow(
      "Value 'two' at 'desiredCapacity' failed to satisfy constraint: Member must be an integer",
    );
    expect(() => params.boolean("ShouldDecrementDesiredCapacity")).toThrow(AwsError);
  });

  it("wraps a result in <ActionResponse><ActionResult> with ResponseMetadata", () => {
    const raw = queryResponse("DescribeScalingActivities", namespace, {
      Activities: members([{ ActivityId: "1", Progress: 100 }]),
    });
    const document = parser.parse(raw.body.toString("utf8"));
    expect(raw.statusCode).toBe(200);
    expect(raw.headers["content-type"]).toBe("text/xml");
    const response = document.DescribeScalingActivitiesResponse;
    expect(response["@_xmlns"]).toBe(namespace);
    expect(response.DescribeScalingActivitiesResult.Activities.member).toEqual({
      ActivityId: 1,
      Progress: 100,
    });
    expect(response.ResponseMetadata.RequestId).toBe(raw.headers["x-amzn-requestid"]);
    // An action without output answers with the metadata alone.
    const empty = parser.parse(
      queryResponse("SetDesiredCapacity", namespace, undefined).body.toString("utf8"),
    );
    expect(Object.keys(empty.SetDesiredCapacityResponse)).toEqual(["ResponseMetadata", "@_xmlns"]);
  });

  it("answers errors as <ErrorResponse> with Type, Code, Message and RequestId", () => {
    const client = queryError(new AwsError("ValidationError", "bad <value>"), namespace);
    const server = queryError(new AwsError("ResourceContention", "busy", 500), namespace);
    const throttled = queryError(
      new AwsError("ThrottlingException", "Rate exceeded", 400, "Throttling"),
      namespace,
    );
    const parsed = (raw: typeof client) => parser.parse(raw.body.toString("utf8")).ErrorResponse;
    expect(client.statusCode).toBe(400);
    expect(parsed(client)).toMatchObject({
      "@_xmlns": namespace,
      Error: { Type: "Sender", Code: "ValidationError", Message: "bad <value>" },
      RequestId: client.headers["x-amzn-requestid"],
    });
    expect(server.statusCode).toBe(500);
    expect(parsed(server).Error).toMatchObject({ Type: "Receiver", Code: "ResourceContention" });
    expect(parsed(throttled).Error.Code).toBe("Throttling");
  });
});
