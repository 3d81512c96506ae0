import { randomUUID } from "node:crypto";
import type { ServiceRecord } from "./records";

/** A line in DescribeServices' `events`, newest first, the last 100 kept. */
export function recordServiceEvent(service: ServiceRecord, message: string): void {
  service.events.unshift({
    id: randomUUID(),
    createdAt: new Date(),
    message: `(service ${service.name}) ${message}`,
  });
  if (service.events.length > 100) service.events.length = 100;
}
