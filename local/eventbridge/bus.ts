import { randomUUID } from "node:crypto";

/** An event in the EventBridge envelope, as a rule target receives it. */
export interface BusEvent<Detail = unknown> {
  version: "0";
  id: string;
  "detail-type": string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Detail;
}

export type BusListener = (event: BusEvent) => void;

export interface LocalEventBus {
  publish(event: BusEvent): void;
  /** Returns the function that unsubscribes. */
  subscribe(listener: BusListener): () => void;
  /** False when nobody listens: producers skip building events then (1,000-host bench). */
  readonly hasSubscribers: boolean;
}

/**
 * The in-process event bus the ECS control plane publishes to and the wiring's rules
 * subscribe to. Delivery is asynchronous (a microtask per listener), like
 * EventBridge's, so a slow or throwing listener never stalls the publisher.
 */
export class InProcessEventBus implements LocalEventBus {
  private readonly listeners = new Set<BusListener>();

  constructor(private readonly onListenerError: (error: unknown) => void = () => {}) {}

  get hasSubscribers(): boolean {
    return this.listeners.size > 0;
  }

  publish(event: BusEvent): void {
    for (const listener of this.listeners) {
      queueMicrotask(() => {
        try {
          listener(event);
        } catch (error) {
          this.onListenerError(error);
        }
      });
    }
  }

  subscribe(listener: BusListener): () => void {
    // Wrapped so the same function can subscribe twice and unsubscribe each independently.
    const entry: BusListener = (event) => listener(event);
    this.listeners.add(entry);
    return () => {
      this.listeners.delete(entry);
    };
  }
}

/** Builds an envelope; `time` is second-precision ISO-8601 as EventBridge sends it. */
export function envelope<Detail>(fields: {
  detailType: string;
  source: string;
  account: string;
  region: string;
  resources: string[];
  detail: Detail;
  time?: Date;
}): BusEvent<Detail> {
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": fields.detailType,
    source: fields.source,
    account: fields.account,
    time: (fields.time ?? new Date()).toISOString().replace(/\.\d{3}Z$/, "Z"),
    region: fields.region,
    resources: fields.resources,
    detail: fields.detail,
  };
}
