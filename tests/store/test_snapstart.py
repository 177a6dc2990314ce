"""SnapStart restore hooks (enforcewatch.store.snapstart): after a restore each function builds its
boto3 clients again, like the ones it made at initialisation."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import types
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from enforcewatch.store import snapstart

ROOT = Path(__file__).resolve().parents[2]


class Holder:
    def __init__(self, client: object) -> None:
        self.client = client


def test_renewed_client_is_new_and_alike() -> None:
    old = boto3.client("dynamodb", region_name="cn-north-1", endpoint_url="http://127.0.0.1:8000",
                       config=Config(connect_timeout=2), aws_access_key_id="x", aws_secret_access_key="y")
    holder, empty = Holder(old), None
    snapstart.renew_clients(holder, empty)()
    new = holder.client
    assert new is not old
    assert new.meta.service_model.service_name == "dynamodb"
    assert (new.meta.region_name, new.meta.endpoint_url) == ("cn-north-1", "http://127.0.0.1:8000")
    assert new.meta.config.connect_timeout == 2


def test_without_lambdas_hooks_library_nothing_is_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", None)  # import fails, as outside Lambda
    assert snapstart.after_restore(lambda: None) is False


def test_with_the_hooks_library_the_hook_is_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    registered = []
    fake = types.ModuleType("snapshot_restore_py")
    fake.register_after_restore = registered.append  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", fake)
    hook = snapstart.renew_clients()
    assert snapstart.after_restore(hook) is True
    assert registered == [hook]


FAKE_RUNTIME = """
import json, sys, types
hooks = []
sys.modules["snapshot_restore_py"] = types.SimpleNamespace(register_after_restore=hooks.append)
import app
clients = [t.client for t in (getattr(app, "table", None),) if t is not None]
for hook in hooks:
    hook()  # as Lambda does when it resumes the function from a snapshot
print(json.dumps({"hooks": len(hooks), "renewed": all(t.client is not c for t, c in zip([app.table], clients))}))
"""


@pytest.mark.parametrize("function", ["submit_report", "staff_api", "deadline_check"])
def test_each_function_renews_its_clients_after_a_restore(function: str) -> None:
    folder = ROOT / "functions" / function
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(folder), str(ROOT / "src")]),
           "EW_TABLE_NAME": "snapstart", "AWS_REGION": "cn-north-1", "AWS_ACCESS_KEY_ID": "testing",
           "AWS_SECRET_ACCESS_KEY": "testing", "EW_TOKEN_SECRET": "snapstart-" + "x" * 32,
           "EW_RECEIPT_SECRET": "snapstart-receipt-" + "x" * 32, "EW_EXPORT_BUCKET": "exports",
           "EW_CONTENT_DIR": str(ROOT / "site" / "content")}
    env.pop("AWS_PROFILE", None)
    proc = subprocess.run([sys.executable, "-c", FAKE_RUNTIME], cwd=folder, env=env, capture_output=True,
                          text=True, check=False, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout.splitlines()[-1]) == {"hooks": 1, "renewed": True}


def test_template_offers_snapstart_for_every_python_function_off_by_default() -> None:
    from samtranslator.yaml_helper import yaml_parse  # reads CloudFormation's short tags (!If, !Ref)

    template = yaml_parse((ROOT / "infra" / "template.yaml").read_text(encoding="utf-8"))
    assert template["Parameters"]["EnableSnapStart"]["Default"] == "false"
    snap = template["Globals"]["Function"]["SnapStart"]["ApplyOn"]
    assert snap == {"Fn::If": ["WithSnapStart", "PublishedVersions", "None"]}
    assert template["Globals"]["Function"]["AutoPublishAlias"]  # snapshots exist for published versions only
    functions = {n: r for n, r in template["Resources"].items() if r["Type"] == "AWS::Serverless::Function"}
    assert functions and all("SnapStart" not in f["Properties"] for f in functions.values())  # none opts out
