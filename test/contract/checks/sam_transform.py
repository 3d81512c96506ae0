"""The SAM transform as CloudFormation runs it on `sam deploy`, for sets of parameters.

Usage: python3 sam_transform.py TEMPLATE < parameter-sets.json > results.json

Reads a JSON list of parameter sets and writes one result per set, in order:
{"template": ...} when the transform succeeds, {"errors": [...]} when it refuses.

`sam package` first uploads local code and definitions and points CodeUri, ContentUri
and DefinitionUri at S3; this does the same with placeholder S3 URIs, then runs
aws-sam-translator's transform with each set of parameter values (one process, so
the translator is imported once).
"""

import copy

import json
import os
import sys

from samtranslator.model.exceptions import InvalidDocumentException
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

PACKAGED_PROPERTIES = ("CodeUri", "ContentUri", "DefinitionUri")


class NoManagedPolicies:
    """The template names no AWS managed policy by name, so the lookup finds nothing."""

    def load(self):
        return {}


def packaged(template):
    for resource in template.get("Resources", {}).values():
        properties = resource.get("Properties") or {}
        for name in PACKAGED_PROPERTIES:
            if isinstance(properties.get(name), str):
                properties[name] = "s3://microscale-artifacts/" + properties[name].strip("./")
    return template


def transformed(template, parameters):
    try:
        return {"template": transform(copy.deepcopy(template), parameters, NoManagedPolicies())}
    except InvalidDocumentException as error:
        return {"errors": [cause.message for cause in error.causes]}


def main():
    with open(sys.argv[1], encoding="utf-8") as source:
        template = packaged(yaml_parse(source.read()))
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    json.dump([transformed(template, parameters) for parameters in json.load(sys.stdin)], sys.stdout)


if __name__ == "__main__":
    main()
