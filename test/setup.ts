// Registers the aws-sdk-client-mock matchers (toHaveReceivedCommandWith, …) on vitest's expect.
import "aws-sdk-client-mock-vitest/extend";
