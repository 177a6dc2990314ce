"""Shared fixtures: stores on moto and on DynamoDB Local, and a guard against real AWS."""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from enforcewatch.config import Settings
from enforcewatch.store.ddblocal import DynamoDBLocal, LocalStoreMissing, find_jar_dir
from enforcewatch.store.dynamo import DynamoTable
from support.browser import chromium
from support.motospeed import one_backup_per_transaction
from support.schedule import longest_files_first

ROOT = Path(__file__).resolve().parents[1]

# Tripwire: no test may reach real AWS. Fake credentials, a region no test account has.
for _name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
    os.environ.pop(_name, None)
os.environ["AWS_ACCESS_KEY_ID"] = "testing"
os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"
os.environ["AWS_DEFAULT_REGION"] = "cn-north-1"
os.environ["AWS_REGION"] = "cn-north-1"

_table_names = (f"test{i}" for i in itertools.count())


@pytest.fixture(autouse=True, scope="session")
def cheap_password_hashes() -> Iterator[None]:
    """Accounts made in tests hash with argon2's cheapest profile, so sign-ins cost microseconds, not
    a 64 MiB hash each; production keeps its profile (`accounts.PROFILE`, checked in test_cold_start)."""
    from argon2 import PasswordHasher, profiles

    from enforcewatch.staff import accounts

    patch = pytest.MonkeyPatch()
    patch.setattr(accounts, "_hasher", PasswordHasher.from_parameters(profiles.CHEAPEST))
    yield
    patch.undo()


@pytest.fixture(autouse=True, scope="session")
def shared_botocore_loader() -> Iterator[None]:
    """One botocore data loader for every boto3 session in the run. moto gives each `mock_aws()` a new
    default session, and each session would parse botocore's JSON service models again (about half a
    second a test under moto); the models are read-only data, shared as one long-lived session shares
    them between its clients. Production code is untouched."""
    import functools

    import botocore.loaders
    import botocore.session

    shared = functools.cache(botocore.loaders.create_loader)  # keyed by AWS_DATA_PATH, normally None
    patch = pytest.MonkeyPatch()
    patch.setattr(botocore.session, "create_loader", shared)
    yield
    patch.undo()


@pytest.fixture(autouse=True, scope="session")
def moto_transactions_back_up_each_table_once() -> Iterator[None]:
    """moto backs a table up once per item of a transaction; once per transaction is the same backup
    (tests/support/motospeed.py; a 99-item transaction on a table of 300 items made 99 copies)."""
    with one_backup_per_transaction():
        yield


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--slow", action="store_true", help="also run tests marked slow")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # The longest files first, so that pytest-xdist (`--dist loadfile --no-loadscope-reorder` in
    # scripts/test) leaves short ones for the end (tests/support/schedule.py).
    items[:] = longest_files_first(items)
    if config.getoption("--slow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


def _require(what: str, detail: str) -> None:
    # In CI a missing component is a failure, not a skip: a green run must mean the test ran.
    if os.environ.get("CI"):
        pytest.fail(f"{what} is required in CI: {detail}")
    pytest.skip(f"{what} unavailable: {detail}")


@pytest.fixture(scope="session")
def ddb_local_server() -> Iterator[DynamoDBLocal]:
    try:
        find_jar_dir(ROOT)
        if not shutil.which("java"):
            raise LocalStoreMissing("java not on PATH")
    except LocalStoreMissing as exc:
        _require("DynamoDB Local", exc.message)
    with DynamoDBLocal(data_dir=None) as server:
        yield server


@pytest.fixture
def local_table(ddb_local_server: DynamoDBLocal) -> DynamoTable:
    """A fresh, empty table on the shared DynamoDB Local server."""
    table = DynamoTable.from_settings(
        Settings(table_name=next(_table_names), dynamodb_endpoint=ddb_local_server.endpoint)
    )
    table.ensure_exists()
    return table


@pytest.fixture
def moto_table() -> Iterator[DynamoTable]:
    from moto import mock_aws

    with mock_aws():
        table = DynamoTable.from_settings(Settings(table_name="enforcewatch"))
        table.ensure_exists()
        yield table


@pytest.fixture(params=["moto", "ddb_local"])
def table(request: pytest.FixtureRequest) -> DynamoTable:
    """The same test against moto and against DynamoDB Local (moto is lenient; Local is the contract)."""
    if request.param == "moto":
        return request.getfixturevalue("moto_table")
    return request.getfixturevalue("local_table")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = "/usr/bin/chromium"
    if not Path(path).exists():
        _require("Chromium", f"{path} missing (Debian package chromium)")
    return path


@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[Any]:
    """Headless Chromium, launched once per test module (tests/support/browser.py)."""
    with chromium(chromium_path) as instance:
        yield instance
