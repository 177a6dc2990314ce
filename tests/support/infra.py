"""infra/template.yaml as data: a YAML loader for CloudFormation's short-form tags, and lookups."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "infra" / "template.yaml"

# CloudFormation's short-form tags: `!Ref X` becomes {"Ref": "X"}, `!Sub s` {"Fn::Sub": s}, and so on.
SHORT_TAGS = {
    "Ref": "Ref",
    "Condition": "Condition",
    **{
        name: f"Fn::{name}"
        for name in (
            "Sub", "GetAtt", "If", "Equals", "Not", "And", "Or", "Select", "Split", "Join",
            "FindInMap", "ImportValue", "Base64", "Cidr", "GetAZs",
            # functions of the Rules section
            "Contains", "EachMemberEquals", "EachMemberIn", "RefAll", "ValueOf", "ValueOfAll",
        )
    },
}


class TemplateLoader(yaml.SafeLoader):
    """A YAML loader that understands CloudFormation's short-form intrinsic functions."""


def _construct(tag: str, key: str) -> Any:
    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
            if tag == "GetAtt" and isinstance(value, str):
                value = value.split(".", 1)  # !GetAtt Res.Attr is the list form ["Res", "Attr"]
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
        return {key: value}

    return construct


for _tag, _key in SHORT_TAGS.items():
    TemplateLoader.add_constructor(f"!{_tag}", _construct(_tag, _key))


def load_template(path: Path = TEMPLATE) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        return yaml.load(fh, Loader=TemplateLoader)


def resources_of_type(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: res for name, res in template["Resources"].items() if res["Type"] == kind}
