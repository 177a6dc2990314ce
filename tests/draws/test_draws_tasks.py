"""The staff workflow of a draw on the real store (moto and DynamoDB Local) and through the CLI:
open → commit → announce → reveal → run → publish, each step checked and audited (issue 21)."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import random
from pathlib import Path
from typing import Any

import pytest

from enforcewatch.cli import main
from enforcewatch.draws import membership, tasks, verify
from enforcewatch.draws.hashing import commitment
from enforcewatch.errors import Conflict, InputError, NotFound
from enforcewatch.staff import audit
from enforcewatch.store import ddblocal
from support.draws import ROOT, uscc

RATIOS = {"base": 300, "A": 100, "B": 300, "C": 1000, "D": 3000}
SCHEDULED = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)  # 10:00 Beijing time
SECRETS = {p: f"{n:x}" * 64 for n, p in enumerate(("agency", "justice", "point"), start=10)}


def spec(draw_id: str = "d-1", n: int = 2500, **over: Any) -> dict[str, Any]:
    return {"id": draw_id, "title": "测试抽取", "item_id": "scjg-cc-001", "agency": "示范市市场监督管理局",
            "scheduled_at": "2026-11-20T10:00:00+08:00", "team_size": 2,
            "inspectors": [f"ZF-{i:02d}" for i in range(1, 11)], "parties": ["agency", "justice", "point"],
            "candidates": [{"uscc": uscc(i), "credit_class": "ABCD"[i % 4]} for i in range(1, n + 1)],
            "avoid": {uscc(4): ["ZF-01"]}, **over}


def test_the_whole_cycle_on_the_store(table: Any) -> None:
    rng = random.Random(7)
    task = tasks.open_task(table, spec(), RATIOS, "营业执照（登记证）规范使用情况的检查", "office", SCHEDULED, rng)
    assert task["chunks"] == 2 and task["sizes"] == {"A": 625, "B": 625, "C": 625, "D": 625}
    with pytest.raises(Conflict, match="已存在"):
        tasks.open_task(table, spec(), RATIOS, "x", "office", SCHEDULED, rng)
    with pytest.raises(Conflict, match="收集承诺中，不能公布"):
        tasks.publish(table, "d-1")
    with pytest.raises(Conflict, match="收集承诺中，不能揭示"):
        tasks.reveal(table, "d-1", "agency", SECRETS["agency"], SCHEDULED)
    for party in ("agency", "justice"):
        tasks.commit(table, "d-1", party, commitment("d-1", party, SECRETS[party]), SCHEDULED)
    with pytest.raises(Conflict, match="不能更换"):
        tasks.commit(table, "d-1", "agency", "0" * 64, SCHEDULED)
    task = tasks.commit(table, "d-1", "point", commitment("d-1", "point", SECRETS["point"]), SCHEDULED)
    assert task["state"] == "announced"
    announced = tasks.announced_record(table, task)
    assert tasks.publish(table, "d-1")[1] == announced.dump()  # published at once, before any reveal
    assert tasks.get(table, "d-1")["state"] == "announced"
    assert announced.status == "announced" and verify.check(announced) == []
    with pytest.raises(InputError, match="未到抽取时间"):
        tasks.reveal(table, "d-1", "agency", SECRETS["agency"], SCHEDULED - dt.timedelta(minutes=1))
    with pytest.raises(InputError, match="秘密应为 64 位十六进制"):
        tasks.reveal(table, "d-1", "justice", "j" * 64, SCHEDULED)
    with pytest.raises(InputError, match="司法局揭示的秘密与其承诺不符"):
        tasks.reveal(table, "d-1", "justice", "0" * 64, SCHEDULED)
    for party in ("agency", "justice"):
        tasks.reveal(table, "d-1", party, SECRETS[party], SCHEDULED)
    with pytest.raises(InputError, match="尚未揭示：监测点代表"):
        tasks.run(table, "d-1")
    tasks.reveal(table, "d-1", "point", SECRETS["point"], SCHEDULED)
    task = tasks.run(table, "d-1")
    _, body = tasks.publish(table, "d-1")
    record = verify.parse(body)
    assert verify.check(record, published_ratios=RATIOS) == []
    assert record.announcement_digest == announced.announcement_digest  # the draw is the one announced
    assert [c.count for c in record.classes] == [7, 19, 63, 188]
    # Who was drawn (kept for matching) is what each enterprise finds with its proof.
    assert task["selected_count"] == len(record.result)
    for s in tasks.selected(table, task)[:5]:
        found = membership.check(record, s["uscc"], tasks.proof(table, "d-1", s["uscc"])["salt"])
        assert found.selected and list(found.inspectors) == s["inspectors"]
    with pytest.raises(NotFound):
        tasks.proof(table, "d-1", uscc(9999))
    view = json.dumps(tasks.view(tasks.get(table, "d-1")), ensure_ascii=False)
    assert task["task_key"] not in view and uscc(1) not in view
    assert [t["draw_id"] for t in tasks.listing(table)] == ["d-1"]


def test_a_lost_chunk_of_candidates_stops_the_announcement(moto_table: Any) -> None:
    tasks.open_task(moto_table, spec(n=2100), RATIOS, "x", "office", SCHEDULED, random.Random(2))
    moto_table.put({"pk": "DRAW#d-1", "sk": "CAND#00001", "entries": ""})  # as if the write had been lost
    tasks.commit(moto_table, "d-1", "agency", commitment("d-1", "agency", SECRETS["agency"]), SCHEDULED)
    tasks.commit(moto_table, "d-1", "justice", commitment("d-1", "justice", SECRETS["justice"]), SCHEDULED)
    with pytest.raises(Conflict, match="候选名录与开启时不一致"):
        tasks.commit(moto_table, "d-1", "point", commitment("d-1", "point", SECRETS["point"]), SCHEDULED)


@pytest.mark.parametrize(("over", "says"), [
    ({"candidates": [{"uscc": "91330100000000000X", "credit_class": "A"}]}, "第 1 家：统一社会信用代码校验位不正确"),
    ({"candidates": [{"uscc": "91330100000000000X"}]}, "第 1 家：信用类别应为 A、B、C、D 等"),
    ({"parties": ["agency"]}, "参与方须包括 agency（执法机关）和 justice（司法局）"),
    ({"scheduled_at": "2026-11-20 10:00"}, "抽取时间应写作北京时间"),
    ({"team_size": 11}, "team_size"),
    ({"inspectors": ["ZF-01"], "team_size": 2}, "执法检查人员只有 1 人"),
], ids=["uscc", "no class", "parties", "time", "team too big", "too few inspectors"])
def test_a_bad_spec_is_refused_naming_the_field(moto_table: Any, over: dict[str, Any], says: str) -> None:
    with pytest.raises(InputError, match=says):
        tasks.open_task(moto_table, spec(n=3, **over), RATIOS, "x", "office", SCHEDULED, random.Random(1))
    assert list(tasks.listing(moto_table)) == []


def test_the_cycle_from_the_command_line_is_audited(moto_table: Any, tmp_path: Path, monkeypatch: Any,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(ddblocal, "open_table", lambda data_dir: contextlib.nullcontext(moto_table))
    common = ["--content", str(ROOT / "site" / "content")]
    path = tmp_path / "task.json"
    path.write_text(json.dumps(spec("d-2", n=40, scheduled_at="2026-01-05T10:00:00+08:00",
                                    parties=["agency", "justice"])), encoding="utf-8")
    assert main(["draws", "open", "--spec", str(path), *common]) == 0
    for party in ("agency", "justice"):
        assert main(["draws", "commit", "d-2", "--party", party,
                     "--commitment", commitment("d-2", party, SECRETS[party]), *common]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "announced"
    assert main(["draws", "reveal", "d-2", "--party", "agency", "--secret", "1" * 64, *common]) == 1
    assert "执法机关揭示的秘密与其承诺不符" in capsys.readouterr().err
    for party in ("agency", "justice"):
        assert main(["draws", "reveal", "d-2", "--party", party, "--secret", SECRETS[party], *common]) == 0
    assert main(["draws", "run", "d-2", *common]) == 0
    out = tmp_path / "draws"
    assert main(["draws", "publish", "d-2", "--out", str(out), *common]) == 0
    assert main(["draws", "verify", str(out / "d-2.json"), *common]) == 0
    assert main(["draws", "proof", "d-2", "--uscc", uscc(5), *common]) == 0
    proof = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert main(["draws", "membership", str(out / "d-2.json"), "--uscc", uscc(5), "--salt", proof["salt"]]) == 0
    month = f"{dt.datetime.now(dt.UTC):%Y-%m}"
    entries = [(e["action"], e["outcome"]) for e in audit.entries(moto_table, month, month)]
    assert entries == [("draws.open", "ok"), ("draws.commit", "ok"), ("draws.commit", "ok"),
                       ("draws.reveal", "refused"), ("draws.reveal", "ok"), ("draws.reveal", "ok"),
                       ("draws.run", "ok"), ("draws.publish", "ok"), ("draws.proof", "ok")]
    logged = json.dumps([e["details"] for e in audit.entries(moto_table, month, month)], ensure_ascii=False)
    assert SECRETS["agency"] not in logged and proof["salt"] not in logged
