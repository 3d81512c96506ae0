import { AwsError } from "../../edge/errors";
import type { EcsModel } from "../model/ecs-model";
import { withDates } from "../shapes";
import { attributeOperations } from "./attributes";
import { capacityProviderOperations } from "./capacity-providers";
import { clusterOperations } from "./clusters";
import { containerInstanceOperations } from "./container-instances";
import { Fields, isRecord } from "./fields";
import { serviceOperations } from "./services";
import { tagOperations } from "./tags";
import { taskDefinitionOperations } from "./task-definitions";
import { taskOperations } from "./tasks";

/** One ECS operation: the request's fields in, the response (timestamps as Dates) out. */
export type Operation = (fields: Fields) => object;

const epochSeconds = (date: Date) => date.getTime() / 1000;

/**
 * The ECS API (JSON 1.1): each operation reads its request into the model's typed
 * inputs, calls the model and shapes the answer in AWS's words, timestamps as the
 * epoch seconds the protocol carries. Operations are grouped by resource, one module each.
 */
export class EcsApi {
  private readonly operations: ReadonlyMap<string, Operation>;

  constructor(model: EcsModel) {
    this.operations = new Map(
      Object.entries({
        ...clusterOperations(model),
        ...containerInstanceOperations(model),
        ...attributeOperations(model),
        ...capacityProviderOperations(model),
        ...taskDefinitionOperations(model),
        ...serviceOperations(model),
        ...taskOperations(model),
        ...tagOperations(model),
      }),
    );
  }

  handle(operation: string, input: unknown): unknown {
    const serve = this.operations.get(operation);
    if (serve === undefined) {
      throw new AwsError(
        "UnknownOperationException",
        `The local cloud's ECS does not implement ${operation}.`,
      );
    }
    return withDates(serve(new Fields(isRecord(input) ? input : {})), epochSeconds);
  }
}
