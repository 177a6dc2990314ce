"""One `enforcewatch serve` process, as a person runs it: a free port, its own data dir, Ctrl-C to stop."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx

from enforcewatch.store.ddblocal import free_port

ROOT = Path(__file__).resolve().parents[2]
EXE = Path(sys.executable).parent / "enforcewatch"


class Stack:
    """One `enforcewatch serve` process on a free port and a temporary data dir."""

    def __init__(self, data_dir: Path, extra: tuple[str, ...] = ()) -> None:
        self.data_dir = data_dir
        self.extra = extra  # more `serve` arguments (e.g. --content)
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Stack:
        self.proc = subprocess.Popen(
            [str(EXE), "serve", "--port", str(self.port), "--data-dir", str(self.data_dir), *self.extra],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"serve exited: {self.proc.stdout.read().decode()}")
            try:
                if httpx.get(self.url + "/api/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.3)
        self.stop()
        raise AssertionError("serve did not answer within 120 s")

    def stop(self) -> str:
        """Ctrl-C, as a person would; returns what serve printed."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGINT)
        try:
            out, _ = self.proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, _ = self.proc.communicate()
            raise AssertionError("serve did not stop on Ctrl-C") from None
        self.proc = None
        return out.decode()


@contextmanager
def serving(data_dir: Path, *extra: str, env: Mapping[str, str], wait: float = 180) -> Iterator[str]:
    """`python -m enforcewatch serve` on a free port with `data_dir`, yielding its base URL once the
    staff tools page answers; stopped on the way out (terminate, then kill). Its output is discarded,
    so a busy server never blocks on a full pipe; what it printed to stderr is the message if it exits."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "enforcewatch", "serve", "--port", str(port), "--data-dir", str(data_dir), *extra],
        cwd=ROOT, env=dict(env), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + wait
        while True:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else "serve exited"
            assert time.monotonic() < deadline, f"serve did not answer within {wait:.0f} s"
            try:
                if httpx.get(base + "/staff/tools/", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stderr:
            proc.stderr.close()
