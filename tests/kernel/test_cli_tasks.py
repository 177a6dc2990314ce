"""The command line around long tasks: `publish` (check → build → upload, summary, --json), progress
only on a terminal, `--version`, and AWS errors as one Chinese line."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from enforcewatch.cli import main
from enforcewatch.progress import Progress
from enforcewatch.store.awserrors import describe
from support.paths import CONTENT, TEMPLATES


@pytest.fixture
def content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(CONTENT, root)
    return root


def publish(content: Path, out: Path, *extra: str) -> list[str]:
    return ["publish", "--bucket", "site", "--region", "cn-north-1", "--content", str(content),
            "--templates", str(TEMPLATES), "--out", str(out), *extra]


@mock_aws
def test_publish_checks_builds_uploads_and_summarises(content: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    s3 = boto3.client("s3", region_name="cn-north-1")
    s3.create_bucket(Bucket="site", CreateBucketConfiguration={"LocationConstraint": "cn-north-1"})
    out = tmp_path / "_site"
    assert main(publish(content, out, "--json")) == 0
    captured = capsys.readouterr()
    first = json.loads(captured.out)
    assert first["uploaded"] > 10 and first["deleted"] == 0 and first["pages"] > 5
    assert first["changed_by_area"]["data/"] >= 6 and "已上传" in captured.err
    assert "\r" not in captured.err  # not a terminal: no progress line
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket="site")["Contents"]}
    assert "data/leniency.xlsx" in keys and "index.html" in keys

    path = content / "lists" / "leniency.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("intro:", "intro: 更新后的说明。\n  old_intro:", 1) if "intro:" in text else
                    text.replace("  title: ", "  title: （修订）", 1), encoding="utf-8")
    assert main(publish(content, out, "--json")) == 0
    second = json.loads(capsys.readouterr().out)
    assert 0 < second["uploaded"] < first["uploaded"] and second["unchanged"] > 0


@mock_aws
def test_publish_stops_at_a_content_problem_before_building(content: Path, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    s3 = boto3.client("s3", region_name="cn-north-1")
    s3.create_bucket(Bucket="site", CreateBucketConfiguration={"LocationConstraint": "cn-north-1"})
    (content / "lists" / "leniency.yaml").write_text("meta: [\n", encoding="utf-8")
    assert main(publish(content, tmp_path / "_site")) == 1
    assert "leniency.yaml:" in capsys.readouterr().err
    assert not (tmp_path / "_site").exists() and "Contents" not in s3.list_objects_v2(Bucket="site")


@mock_aws
def test_publish_to_a_missing_bucket_is_one_chinese_line(content: Path, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert main(publish(content, tmp_path / "_site")) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("存储桶不存在") and "Traceback" not in "\n".join(err)


def test_no_credentials_is_one_chinese_line(content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    import boto3  # a default session made by an earlier test holds the credentials it found then

    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    assert main(publish(content, tmp_path / "_site")) == 1
    assert capsys.readouterr().err.strip().splitlines()[-1].startswith("找不到 AWS 凭证")


@pytest.mark.parametrize("code, start", [("ResourceNotFoundException", "数据表不存在"),
                                         ("ProvisionedThroughputExceededException", "AWS 请求被限流"),
                                         ("ThrottlingException", "AWS 请求被限流"),
                                         ("AccessDeniedException", "AWS 拒绝了请求")])
def test_client_errors_become_one_line(code: str, start: str) -> None:
    exc = ClientError({"Error": {"Code": code, "Message": "m"}}, "Query")
    line = describe(exc)
    assert line is not None and line.startswith(start) and "\n" not in line
    assert describe(ValueError("x")) is None


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_only_on_a_terminal() -> None:
    quiet = io.StringIO()
    p = Progress("正在上传", 3, stream=quiet)
    p.phase("正在检查…")
    for n in (1, 2, 3):
        p.step(n)
    p.done()
    assert quiet.getvalue() == ""
    tty = Terminal()
    p = Progress("正在上传", 3, stream=tty, every=0)
    for n in (1, 2, 3):
        p.step(n)
    p.done()
    assert "\r正在上传 3/3" in tty.getvalue() and tty.getvalue().endswith("\r\033[K")


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--version"])
    assert stopped.value.code == 0 and capsys.readouterr().out.startswith("enforcewatch ")


def test_check_json_on_success_and_on_problems(content: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--content", str(content), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["ok"] is True
    path = content / "lists" / "leniency.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  title:", "  titel:", 1), encoding="utf-8")
    assert main(["check", "--content", str(content), "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is False and out["status"] == 422
    assert {"path", "line", "field", "message"} <= set(out["errors"][0]) and out["errors"][0]["line"]


def test_lists_import_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from enforcewatch.sitegen import datafiles
    from enforcewatch.sitegen.content import load_content

    root = tmp_path / "c"
    shutil.copytree(CONTENT, root)
    loaded = load_content(root)
    depts = {d.id: d for d in loaded.departments}
    items = [i for i in loaded.enforcement.items if i.department == "scjg"][1:]
    sheet = tmp_path / "s.xlsx"
    sheet.write_bytes(datafiles.to_xlsx("enforcement-items", items, depts))
    assert main(["lists", "import", str(sheet), "--list", "enforcement-items", "--department", "scjg",
                 "--content", str(root), "--dry-run", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["written"] is False and [c["action"] for c in out["changes"]] == ["取消"]
