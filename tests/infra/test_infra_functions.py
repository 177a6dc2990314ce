"""Each function in infra/template.yaml has a handler that imports, and a policy naming exactly the
AWS actions its code calls: no more (least privilege), no fewer (it would fail in production).

The actions come from `infra/policy_scan.py`, which reads the code each function can run (see its
docstring for how); `.venv/bin/python infra/policy_scan.py` prints them with the lines that need them.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from enforcewatch.store import schema
from support.infra import load_template, resources_of_type

ROOT = Path(__file__).resolve().parents[2]


def _load_scanner() -> Any:
    spec = importlib.util.spec_from_file_location("policy_scan", ROOT / "infra" / "policy_scan.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["policy_scan"] = module  # dataclasses look their module up while the class is created
    spec.loader.exec_module(module)
    return module


scan = _load_scanner()
adapter_actions, needed = scan.adapter_actions, scan.needed
ALL_INDEXES = {index["IndexName"] for index in schema.global_secondary_indexes()}


# -- the template's side -------------------------------------------------------------------------------
FUNCTIONS = resources_of_type(load_template(), "AWS::Serverless::Function")


def function_dir(props: dict[str, Any]) -> Path:
    return ROOT / "functions" / Path(props["CodeUri"]).name.removesuffix(".zip")


def policy_statements(props: dict[str, Any]) -> list[dict[str, Any]]:
    statements = []
    for policy in props.get("Policies", []):
        assert isinstance(policy, dict) and "Statement" in policy, (
            f"inline policy documents only (a SAM policy template or managed policy hides its actions): {policy}"
        )
        statements += policy["Statement"]
    return statements


def granted(props: dict[str, Any]) -> set[str]:
    out: set[str] = set()
    for statement in policy_statements(props):
        assert statement["Effect"] == "Allow"
        actions = statement["Action"]
        out |= set([actions] if isinstance(actions, str) else actions)
    return out


def _entry(name: str) -> Path:
    entry = function_dir(FUNCTIONS[name]["Properties"]) / "app.py"
    if not entry.is_file():
        pytest.skip(f"{entry.relative_to(ROOT)} does not exist yet")
    return entry


# -- tests ------------------------------------------------------------------------------------------------
def test_adapter_scan_finds_the_client_operations() -> None:
    actions = adapter_actions()
    assert actions["get"] == {"dynamodb:GetItem"}
    assert actions["put_new"] == {"dynamodb:PutItem"}  # through self._put
    assert actions["transact_put_new"] == {"dynamodb:PutItem"}
    assert actions["query"] == {"dynamodb:Query"}
    assert actions["batch_put"] == {"dynamodb:BatchWriteItem"}
    # Through self.add_missing_indexes: a local table kept from before an index gets it (UpdateTable).
    assert actions["ensure_exists"] == {"dynamodb:DescribeTable", "dynamodb:CreateTable", "dynamodb:UpdateTable"}


def test_call_scan_sees_table_calls_and_ignores_dict_methods(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(
        "import json\n"
        "def handler(event, context, table=None, sns=None):\n"
        "    event.get('x'); {}.update(a=1)\n"
        "    table.put_new({'pk': 'a'}); list(table.query('p', index='gsi1'))\n"
        "    sns.publish(TopicArn='t', Message='m')\n"
    )
    needs = needed(tmp_path / "app.py")
    assert needs.actions == {"dynamodb:PutItem", "dynamodb:Query", "sns:Publish",
                             "kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"}
    assert needs.index_query


def test_scan_types_receivers_names_indexes_and_buckets(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(
        "from enforcewatch.store import schema\n"
        "class S3Blobs:\n"
        "    def put(self, key):\n"
        "        self.client.put_object(Bucket=self.bucket, Key=key)\n"
        "class Archive:\n"
        "    def put(self, key):\n"
        "        self.client.delete_object(Bucket=self.bucket, Key=key)\n"
        "def handler(event, context, settings=None, table=None, client=None):\n"
        "    blobs = S3Blobs(client, settings.attachment_bucket)\n"
        "    blobs.put('k')\n"
        "    list(table.query('p', index=schema.GSI2))\n"
    )
    needs = needed(tmp_path / "app.py")
    assert "s3:DeleteObject" not in needs.actions  # Archive.put is not what `blobs.put` calls
    assert needs.buckets == {"s3:PutObject": {"attachment_bucket"}}
    assert needs.indexes == {"gsi2"}


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_handler_imports_and_is_callable(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    entry = _entry(name)
    props = FUNCTIONS[name]["Properties"]
    module_name, attr = (props.get("Handler") or load_template()["Globals"]["Function"]["Handler"]).split(".")
    assert entry.name == f"{module_name}.py"
    env = {**load_template()["Globals"]["Function"]["Environment"]["Variables"],
           **props.get("Environment", {}).get("Variables", {})}
    stand_ins = {"EW_TOKEN_SECRET": "x" * 40, "EW_RECEIPT_SECRET": "r" * 40, "EW_CONTENT_DIR": str(ROOT / "site" / "content"),
                 "EW_SITE_ORIGIN": "https://zfjd.example.gov.cn", "EW_TABLE_NAME": "enforcewatch",
                 "EW_IDEMPOTENCY_TTL_HOURS": "24", "EW_SUBMISSION_RETENTION_DAYS": "0",
                 "EW_SUMMARY_TOPIC_ARN": "arn:aws-cn:sns:cn-north-1:123456789012:summaries",
                 "EW_EXPORT_BUCKET": "ew-exports", "EW_ATTACHMENT_BUCKET": "ew-attachments"}
    for var in env:
        monkeypatch.setenv(var, stand_ins[var])
    monkeypatch.chdir(ROOT)
    spec = importlib.util.spec_from_file_location(f"lambda_{entry.parent.name}", entry)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # what a cold start does: build settings, client and app
    assert callable(getattr(module, attr)), f"{entry.relative_to(ROOT)}: no callable {attr}"
    assert os.environ["AWS_ACCESS_KEY_ID"] == "testing"  # conftest's tripwire: nothing real was reachable


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_policy_names_exactly_the_actions_the_code_calls(name: str) -> None:
    needs = needed(_entry(name))
    has = granted(FUNCTIONS[name]["Properties"])
    extra, missing = has - needs.actions, needs.actions - has
    assert not extra, f"{name}: granted but never called: {sorted(extra)}"
    assert not missing, f"{name}: called but not granted: " + "; ".join(
        f"{a} ({', '.join(needs.sites.get(a, ['implied by the table key']))})" for a in sorted(missing)
    )


def _resources(statement: dict[str, Any]) -> list[Any]:
    return statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]


def _bucket_of(resource: Any) -> str | None:
    """`!Sub "${ExportBucket.Arn}/exports/*"` → "ExportBucket"."""
    match = re.search(r"\$\{(\w+)\.Arn\}", json.dumps(resource))
    return match.group(1) if match else None


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_policy_grants_exactly_the_indexes_queried(name: str) -> None:
    needs = needed(_entry(name))
    resources = [r for s in policy_statements(FUNCTIONS[name]["Properties"]) for r in _resources(s)]
    assert "*" not in resources
    granted_indexes: set[str] = set()
    for resource in resources:
        if match := re.search(r"/index/([\w*]+)", json.dumps(resource)):
            granted_indexes |= ALL_INDEXES if match.group(1) == "*" else {match.group(1)}
    queried = ALL_INDEXES if "*" in needs.indexes else needs.indexes
    assert granted_indexes == queried, f"{name}: granted {sorted(granted_indexes)}, queried {sorted(queried)}"


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_s3_rights_are_on_the_buckets_the_code_uses(name: str) -> None:
    """Each S3 action on exactly the buckets whose setting reaches the code making the call."""
    props = FUNCTIONS[name]["Properties"]
    needs = needed(_entry(name))
    env = {**load_template()["Globals"]["Function"]["Environment"]["Variables"],
           **props.get("Environment", {}).get("Variables", {})}
    expected: set[tuple[str, str]] = set()
    for action, fields in needs.buckets.items():
        for setting in fields:
            variable = f"EW_{setting.upper()}"
            assert setting != "?" and variable in env, f"{name}: {action} on a bucket the template does not give it"
            expected.add((action, env[variable]["Ref"]))
    grants = {(action, _bucket_of(resource)) for s in policy_statements(props) for action in s["Action"]
              if action.startswith("s3:") for resource in _resources(s)}
    assert grants == expected


def test_code_uris_are_the_packaged_zips() -> None:
    """CodeUri (relative to infra/) names the zip scripts/package-lambdas builds for that function."""
    import importlib.util as iu

    spec = iu.spec_from_file_location("package_lambdas_for_uris", ROOT / "scripts" / "package_lambdas.py")
    assert spec and spec.loader
    packager = iu.module_from_spec(spec)
    spec.loader.exec_module(packager)
    out_dir = packager.DEFAULT_OUT
    for name, res in FUNCTIONS.items():
        uri = (ROOT / "infra" / res["Properties"]["CodeUri"]).resolve()
        assert uri.parent == out_dir, name
        assert (ROOT / "functions" / uri.stem / "app.py").is_file(), f"{name}: no functions/{uri.stem}/app.py"
