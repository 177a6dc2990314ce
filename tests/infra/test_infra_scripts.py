"""scripts/package_lambdas.py (arm64 Lambda zips) and scripts/publish_site.py (site → bucket)."""

from __future__ import annotations

import importlib.util
import sys
import zipfile
from pathlib import Path
from types import ModuleType

import boto3
import pytest
from moto import mock_aws

ROOT = Path(__file__).resolve().parents[2]


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is created
    spec.loader.exec_module(module)
    return module


pkg = _load("package_lambdas")
pub = _load("publish_site")


def _elf(machine: int) -> bytes:
    return b"\x7fELF\x02\x01\x01" + b"\0" * 11 + machine.to_bytes(2, "little") + b"\0" * 44


# -- packaging ---------------------------------------------------------------------------------------
def test_lambda_requirements_are_the_pinned_runtime_deps_without_local_tools() -> None:
    reqs = pkg.lambda_requirements(ROOT / "pyproject.toml")
    names = {pkg._name(r) for r in reqs}
    assert {"pydantic", "mangum", "fastapi", "boto3", "chinesecalendar"} <= names
    assert not names & {"uvicorn", "pytest", "moto"}
    assert not [n for n in names if n.startswith("pagefind")]  # the indexer runs at build time only
    assert all("==" in r for r in reqs)


def test_unpinned_dependency_is_refused(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\ndependencies = ["pydantic>=2", "PyYAML==6.0.3"]\n')
    with pytest.raises(pkg.PackagingError, match="pydantic>=2"):
        pkg.lambda_requirements(tmp_path / "pyproject.toml")


def test_elf_machine_reads_the_header() -> None:
    assert pkg.elf_machine(_elf(183)) == pkg.ELF_MACHINE_AARCH64
    assert pkg.elf_machine(_elf(62)) == 62  # x86-64
    assert pkg.elf_machine(b"#!/bin/sh\n" + b"\0" * 20) is None


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


CORE = "pydantic_core/_pydantic_core.cpython-312-aarch64-linux-gnu.so"


def test_check_zip_accepts_an_arm64_build(tmp_path: Path) -> None:
    stats = pkg.check_zip(_zip(tmp_path / "f.zip", {
        "app.py": b"handler = None\n", "enforcewatch/__init__.py": b"", CORE: _elf(183),
        "yaml/_yaml.cpython-312-aarch64-linux-gnu.so": _elf(183),
    }))
    assert stats["binaries"] == 2 and stats["files"] == 4


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ({"enforcewatch/__init__.py": b"", CORE: _elf(183)}, "app.py missing"),
        ({"app.py": b"", "enforcewatch/__init__.py": b""}, "no pydantic_core"),
        ({"app.py": b"", "enforcewatch/__init__.py": b"",
          "pydantic_core/_pydantic_core.cpython-312-x86_64-linux-gnu.so": _elf(62)}, "no pydantic_core"),
        ({"app.py": b"", "enforcewatch/__init__.py": b"", CORE: _elf(62)}, "not an arm64 binary"),
        ({"app.py": b"", "enforcewatch/__init__.py": b"", CORE: _elf(183), "nh3/nh3.abi3.so": _elf(62)},
         "nh3/nh3.abi3.so is not an arm64 binary"),
        ({"app.py": b"", "enforcewatch/__init__.py": b"", CORE: _elf(183),
          "pagefind_bin_extended/pagefind_extended": _elf(183)}, "is a program, not a library"),
    ],
)
def test_check_zip_refuses_what_lambda_cannot_run(tmp_path: Path, members: dict[str, bytes], message: str) -> None:
    with pytest.raises(pkg.PackagingError, match=message):
        pkg.check_zip(_zip(tmp_path / "f.zip", members))


def test_function_entries_hold_handler_package_site_and_deps(tmp_path: Path) -> None:
    fn = tmp_path / "functions" / "demo"
    fn.mkdir(parents=True)
    (fn / "app.py").write_text("def handler(event, context):\n    return None\n")
    deps = tmp_path / "deps"
    (deps / "pydantic_core").mkdir(parents=True)
    (deps / "pydantic_core" / "__init__.py").write_text("")
    (deps / "bin").mkdir()
    (deps / "bin" / "tool").write_text("")
    names = {name for name, _ in pkg.function_entries(fn, deps)}
    assert "app.py" in names and "enforcewatch/__init__.py" in names and "enforcewatch/store/schema.py" in names
    assert "pydantic_core/__init__.py" in names
    assert "bin/tool" not in names
    assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)
    if (ROOT / "site" / "content").is_dir():
        assert any(n.startswith("site/content/") for n in names)


def test_zips_are_reproducible(tmp_path: Path) -> None:
    src = tmp_path / "a.txt"
    src.write_text("same")
    one, two = tmp_path / "one.zip", tmp_path / "two.zip"
    pkg.write_zip([("a.txt", src)], one)
    src.touch()  # a newer mtime must not change the artefact
    pkg.write_zip([("a.txt", src)], two)
    assert one.read_bytes() == two.read_bytes()


@pytest.mark.slow
def test_full_build_fetches_arm64_wheels(tmp_path: Path) -> None:
    """Needs PyPI: run with --slow. Builds a zip for a stand-in function and checks its binaries."""
    (tmp_path / "functions" / "demo").mkdir(parents=True)
    (tmp_path / "functions" / "demo" / "app.py").write_text("def handler(event, context):\n    return None\n")
    (tmp_path / "src").symlink_to(ROOT / "src")
    (tmp_path / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text())
    [zipped] = pkg.build(tmp_path / "out", root=tmp_path)
    stats = pkg.check_zip(zipped)
    assert stats["binaries"] >= 1
    with zipfile.ZipFile(zipped) as zf:
        assert CORE in zf.namelist()


# -- publishing ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("key", "kind", "cache"),
    [
        ("index.html", "text/html; charset=utf-8", pub.PAGES),
        ("lists/items.csv", "text/csv; charset=utf-8", pub.PAGES),
        ("lists/items.json", "application/json; charset=utf-8", pub.PAGES),
        ("static/site.css", "text/css; charset=utf-8", pub.ASSETS),
        ("pagefind/pagefind.js", "text/javascript; charset=utf-8", pub.PAGES),
        ("pagefind/fragment/zh_3a1b.pf_fragment", "application/octet-stream", pub.IMMUTABLE),
        ("pagefind/index/zh_9f.pf_index", "application/octet-stream", pub.IMMUTABLE),
        ("static/fonts/x.woff2", "font/woff2", pub.ASSETS),
    ],
)
def test_content_type_and_cache_control(key: str, kind: str, cache: str) -> None:
    assert pub.content_type(key) == kind
    assert pub.cache_control(key) == cache


def _site(tmp_path: Path) -> Path:
    site = tmp_path / "_site"
    (site / "lists").mkdir(parents=True)
    (site / "index.html").write_text("<!doctype html><title>首页</title>", encoding="utf-8")
    (site / "lists" / "items.csv").write_text("\ufeff事项名称\n", encoding="utf-8")
    (site / "report").mkdir()
    (site / "report" / "index.html").write_text("<!doctype html><title>月度报送</title>", encoding="utf-8")
    return site


@mock_aws
def test_publish_uploads_changes_only_and_deletes_stale(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    s3 = boto3.client("s3", region_name="cn-north-1")
    s3.create_bucket(Bucket="site", CreateBucketConfiguration={"LocationConstraint": "cn-north-1"})
    s3.put_object(Bucket="site", Key="old/page.html", Body=b"gone")
    site = _site(tmp_path)
    args = ["--bucket", "site", "--site-dir", str(site), "--region", "cn-north-1", "--delete"]

    assert pub.main(args) == 0
    assert "4 to upload, 1 to delete, 0 unchanged" in capsys.readouterr().out
    head = s3.head_object(Bucket="site", Key="index.html")
    assert head["ContentType"] == "text/html; charset=utf-8"
    assert head["CacheControl"] == pub.PAGES
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket="site")["Contents"]}
    assert keys == {"index.html", "lists/items.csv", "report/index.html", "report/"}
    # /report/ through CloudFront's REST origin reads the key "report/": the page itself.
    directory = s3.get_object(Bucket="site", Key="report/")
    assert directory["ContentType"] == "text/html; charset=utf-8"
    assert "月度报送" in directory["Body"].read().decode()

    (site / "index.html").write_text("<!doctype html><title>首页（更新）</title>", encoding="utf-8")
    assert pub.main(args) == 0
    assert "1 to upload, 0 to delete, 3 unchanged" in capsys.readouterr().out


@mock_aws
def test_dry_run_changes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="site")
    assert pub.main(["--bucket", "site", "--site-dir", str(_site(tmp_path)), "--region", "us-east-1",
                     "--dry-run"]) == 0
    assert "upload index.html  [text/html; charset=utf-8; " in capsys.readouterr().out
    assert "Contents" not in s3.list_objects_v2(Bucket="site")


@mock_aws
def test_publish_refuses_an_unbuilt_site_and_a_missing_bucket(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert pub.main(["--bucket", "site", "--site-dir", str(tmp_path), "--region", "cn-north-1"]) == 1
    assert "no index.html" in capsys.readouterr().err
    assert pub.main(["--bucket", "missing", "--site-dir", str(_site(tmp_path)), "--region", "cn-north-1"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("publish-site: ") and "NoSuchBucket" in err and "Traceback" not in err
