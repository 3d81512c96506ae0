import type {
  ListTagsForResourceResponse,
  TagResourceResponse,
  UntagResourceResponse,
} from "@aws-sdk/client-ecs";
import type { EcsModel } from "../model/ecs-model";
import type { Fields } from "./fields";

export function tagOperations({ tags }: EcsModel) {
  return {
    TagResource: (fields: Fields): TagResourceResponse => {
      tags.tag(fields.requiredString("resourceArn"), fields.tags());
      return {};
    },

    UntagResource: (fields: Fields): UntagResourceResponse => {
      tags.untag(fields.requiredString("resourceArn"), fields.strings("tagKeys") ?? []);
      return {};
    },

    ListTagsForResource: (fields: Fields): ListTagsForResourceResponse => ({
      tags: tags.list(fields.requiredString("resourceArn")),
    }),
  };
}
