"""Demo mode (`enforcewatch serve --demo`): it loads the generated city, prints a demo office account
that signs in, and never touches the real data directory. Slow (it loads the whole city): --slow."""

from __future__ import annotations

import re
import signal
import subprocess
from pathlib import Path

import httpx
import pytest

from enforcewatch.store.ddblocal import free_port

ROOT = Path(__file__).resolve().parents[2]
EXE = ROOT / ".venv" / "bin" / "enforcewatch"


@pytest.mark.slow
@pytest.mark.ddb_local
def test_demo_mode_loads_a_city_and_prints_an_account_that_signs_in(tmp_path: Path, ddb_local_server) -> None:
    port = free_port()
    (tmp_path / "keep.txt").write_text("real data", encoding="utf-8")
    proc = subprocess.Popen([str(EXE), "serve", "--demo", "--port", str(port), "--data-dir", str(tmp_path)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    try:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.append(line)
            if "已启动" in line:
                break
        said = "".join(lines)
        account = re.search(r"用户名 (\S+)\s+密码 (\S+)", said)
        assert account and re.search(r"演示数据：300 个监测点", said), said
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60, follow_redirects=True)
        r = client.post("/staff/sign-in", data={"username": account[1], "password": account[2]})
        assert r.status_code == 200 and "工作概况" in r.text
        assert all(name in r.text for name in ("城关区", "新城区", "高新技术产业开发区", "南湖市", "东山县", "西河县"))
        assert "没有符合条件的月报" not in client.get("/staff/reports").text  # last month's reports are there
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    assert (tmp_path / "keep.txt").read_text(encoding="utf-8") == "real data"  # the real data dir is untouched
