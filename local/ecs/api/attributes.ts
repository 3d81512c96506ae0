import type {
  Attribute,
  DeleteAttributesResponse,
  ListAttributesResponse,
  PutAttributesResponse,
} from "@aws-sdk/client-ecs";
import { ecsErrors } from "../errors";
import type { AttributeInput, ListedAttribute } from "../model/attributes";
import type { EcsModel } from "../model/ecs-model";
import type { Fields } from "./fields";
import { paginate } from "./paging";

/** PutAttributes, DeleteAttributes and ListAttributes, for container instances (the one target type). */
export function attributeOperations({ attributes, clusters }: EcsModel) {
  const read = (fields: Fields): AttributeInput[] => {
    const given = fields.each("attributes", (attribute) => ({
      name: attribute.requiredString("name"),
      value: attribute.string("value"),
      targetType: attribute.string("targetType"),
      targetId: attribute.string("targetId"),
    }));
    if (given.length === 0) throw ecsErrors.invalidParameter("attributes must not be empty.");
    return given.map(({ name, value, targetType, targetId }) => {
      if (targetType !== undefined && targetType !== "container-instance") {
        throw ecsErrors.invalidParameter("targetType must be container-instance.");
      }
      if (targetId === undefined) {
        throw ecsErrors.invalidParameter(`Attribute ${name} has no targetId.`);
      }
      return { name, value, targetId };
    });
  };
  const shape = ({ name, value, instance }: ListedAttribute): Attribute => ({
    name,
    ...(value === undefined ? {} : { value }),
    targetType: "container-instance",
    targetId: instance.arn,
  });

  return {
    PutAttributes: (fields: Fields): PutAttributesResponse => {
      const cluster = clusters.active(fields.string("cluster"));
      return { attributes: attributes.put(cluster, read(fields)).map(shape) };
    },

    DeleteAttributes: (fields: Fields): DeleteAttributesResponse => {
      const cluster = clusters.active(fields.string("cluster"));
      return { attributes: attributes.delete(cluster, read(fields)).map(shape) };
    },

    ListAttributes: (fields: Fields): ListAttributesResponse => {
      const cluster = clusters.active(fields.string("cluster"));
      if (fields.requiredString("targetType") !== "container-instance") {
        throw ecsErrors.invalidParameter("targetType must be container-instance.");
      }
      const name = fields.string("attributeName");
      const value = fields.string("attributeValue");
      if (value !== undefined && name === undefined) {
        throw ecsErrors.invalidParameter("attributeValue requires attributeName.");
      }
      const listed = attributes.list(cluster, name, value);
      // Paged by a key per attribute, in the order of ARNs then names.
      const byKey = new Map(
        listed.map((attribute) => [`${attribute.instance.arn} ${attribute.name}`, attribute]),
      );
      const page = paginate([...byKey.keys()], fields, {
        operation: "ListAttributes",
        filters: { cluster: cluster.arn, attributeName: name, attributeValue: value },
        defaultMax: 100,
      });
      return {
        attributes: page.items.map((key) => shape(byKey.get(key) as ListedAttribute)),
        nextToken: page.nextToken,
      };
    },
  };
}
