"""Build one zip per Lambda function for linux arm64 / Python 3.12: build/lambda/<function>.zip.

Each zip holds, at its root: the function's `app.py`, the `enforcewatch` package, the runtime
dependencies from pyproject.toml (wheels for manylinux aarch64, so pydantic's compiled core matches
the Lambda machine, not this one), and `site/content` + `site/templates` (settings, calendar data,
form templates). infra/template.yaml points each function's CodeUri at its zip.

Zips are reproducible (sorted entries, fixed timestamps), so `sam deploy` uploads only what changed.
Run through `scripts/package-lambdas`.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "build" / "lambda"  # infra/template.yaml's CodeUri paths point here

# Needed locally, not in Lambda: the dev server and the site search indexer (and its binaries).
NOT_IN_LAMBDA = {"uvicorn", "pagefind", "pagefind-bin", "pagefind-bin-extended"}
PYTHON_VERSION = "3.12"
# Lambda's python3.12 runtime is Amazon Linux 2023 (glibc 2.34); manylinux2014 is glibc 2.17.
PLATFORMS = ("manylinux2014_aarch64", "manylinux_2_28_aarch64")
SITE_DIRS = ("site/content", "site/templates")
LAMBDA_UNZIPPED_LIMIT = 250 * 1024 * 1024
ELF_MACHINE_AARCH64 = 183
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
SKIP_PARTS = {"__pycache__", ".pytest_cache"}


class PackagingError(Exception):
    """A build that must not be deployed; the message says why."""


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~;\s]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def lambda_requirements(pyproject: Path) -> list[str]:
    """The project's pinned runtime dependencies, minus what only the local tools need."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    requirements = [r for r in project["dependencies"] if _name(r) not in NOT_IN_LAMBDA]
    unpinned = [r for r in requirements if "==" not in r]
    if unpinned:
        raise PackagingError(f"{pyproject}: dependencies must be pinned with ==: {', '.join(unpinned)}")
    return requirements


def installed_versions() -> list[str]:
    """`name==version` of every distribution in this environment: the versions the tests ran against.

    Used as pip constraints, so indirect dependencies (botocore, starlette, pydantic-core…) in Lambda
    are the ones tested here rather than whatever is newest on the index.
    """
    pins = {}
    for dist in importlib.metadata.distributions():
        name = (dist.metadata["Name"] or "").lower().replace("_", "-")
        if name and name != "enforcewatch":
            pins[name] = f"{name}=={dist.version}"
    return sorted(pins.values())


def install_dependencies(requirements: list[str], target: Path, constraints: list[str] | None = None) -> None:
    """pip-install wheels for the Lambda machine into `target`, reusing it if nothing changed."""
    constraints = constraints or []
    stamp = target / ".requirements-sha256"
    digest = hashlib.sha256("\n".join(requirements + constraints + list(PLATFORMS)).encode()).hexdigest()
    if stamp.is_file() and stamp.read_text() == digest:
        return
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    constraint_file = target.parent / "constraints.txt"
    constraint_file.write_text("".join(f"{c}\n" for c in constraints), encoding="utf-8")
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
               "--target", str(target), "--implementation", "cp", "--python-version", PYTHON_VERSION,
               "--only-binary=:all:", "--no-compile", "--constraint", str(constraint_file)]
    for platform in PLATFORMS:
        command += ["--platform", platform]
    result = subprocess.run([*command, *requirements], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise PackagingError("pip could not fetch the arm64 wheels:\n" + result.stderr.strip())
    stamp.write_text(digest)


def _files(base: Path, prefix: str) -> Iterator[tuple[str, Path]]:
    for path in sorted(base.rglob("*")):
        rel = path.relative_to(base)
        if path.is_file() and not SKIP_PARTS.intersection(rel.parts) and path.suffix != ".pyc":
            yield f"{prefix}{rel.as_posix()}", path


def function_entries(function_dir: Path, deps: Path, root: Path = ROOT) -> list[tuple[str, Path]]:
    """(name in zip, file) for one function; later entries never shadow earlier ones."""
    entries: list[tuple[str, Path]] = [("app.py", function_dir / "app.py")]
    entries += _files(root / "src" / "enforcewatch", "enforcewatch/")
    for site_dir in SITE_DIRS:
        if (root / site_dir).is_dir():
            entries += _files(root / site_dir, f"{site_dir}/")
    entries += [(name, path) for name, path in _files(deps, "")
                if not name.startswith((".requirements", "bin/", "enforcewatch/"))]
    seen: set[str] = set()
    unique = []
    for name, path in entries:
        if name not in seen:
            seen.add(name)
            unique.append((name, path))
    return unique


def write_zip(entries: Iterable[tuple[str, Path]], out: Path) -> None:
    tmp = out.with_suffix(".zip.tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, path in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, path.read_bytes())
    tmp.replace(out)


def elf_machine(data: bytes) -> int | None:
    """The e_machine field of an ELF header (little-endian), or None if `data` is not ELF."""
    if data[:4] != b"\x7fELF" or len(data) < 20:
        return None
    return int.from_bytes(data[18:20], "little")


def check_zip(path: Path) -> dict[str, int]:
    """Refuse a zip Lambda could not run: missing handler or package, x86 binaries, too large."""
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        for required in ("app.py", "enforcewatch/__init__.py"):
            if required not in names:
                raise PackagingError(f"{path.name}: {required} missing")
        core = [n for n in names if n.startswith("pydantic_core/_pydantic_core.") and n.endswith(".so")]
        if not core or not all("aarch64" in n and "312" in n for n in core):
            raise PackagingError(f"{path.name}: no pydantic_core built for CPython 3.12 aarch64 (found {core})")
        binaries = 0
        for name in names:
            with zf.open(name) as fh:
                machine = elf_machine(fh.read(20))
            if machine is None:
                continue
            if machine != ELF_MACHINE_AARCH64:
                raise PackagingError(f"{path.name}: {name} is not an arm64 binary (ELF machine {machine})")
            if not (name.endswith(".so") or ".so." in name):
                raise PackagingError(f"{path.name}: {name} is a program, not a library: a local tool among the "
                                     "runtime dependencies? (add it to NOT_IN_LAMBDA)")
            binaries += 1
        unzipped = sum(info.file_size for info in zf.infolist())
    if unzipped > LAMBDA_UNZIPPED_LIMIT:
        raise PackagingError(f"{path.name}: {unzipped} bytes unzipped, over Lambda's 250 MB limit")
    return {"files": len(names), "binaries": binaries, "unzipped": unzipped, "zipped": path.stat().st_size}


def build(out_dir: Path, functions: list[str] | None = None, root: Path = ROOT) -> list[Path]:
    function_dirs = sorted(p.parent for p in (root / "functions").glob("*/app.py"))
    if functions:
        unknown = set(functions) - {d.name for d in function_dirs}
        if unknown:
            raise PackagingError(f"no functions/<name>/app.py for: {', '.join(sorted(unknown))}")
        function_dirs = [d for d in function_dirs if d.name in functions]
    if not function_dirs:
        raise PackagingError("no functions/<name>/app.py to package")
    deps = out_dir / "deps"
    install_dependencies(lambda_requirements(root / "pyproject.toml"), deps, installed_versions())
    built = []
    for function_dir in function_dirs:
        out = out_dir / f"{function_dir.name}.zip"
        write_zip(function_entries(function_dir, deps, root), out)
        stats = check_zip(out)
        print(f"{out.relative_to(root) if out.is_relative_to(root) else out}: {stats['files']} files, "
              f"{stats['binaries']} arm64 binaries, {stats['zipped'] / 1e6:.1f} MB "
              f"({stats['unzipped'] / 1e6:.1f} MB unzipped)")
        built.append(out)
    return built


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/package-lambdas", description=__doc__.splitlines()[0])
    parser.add_argument("functions", nargs="*", help="function names (default: every functions/<name>/app.py)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    try:
        build(args.out.resolve(), args.functions)
    except PackagingError as exc:
        print(f"package-lambdas: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
