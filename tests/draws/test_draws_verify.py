"""`draws verify` passes on every published record and fails, naming the cause, on each kind of
tampering; `draws membership` lets an enterprise find itself (issue 21, docs/draws.md)."""

from __future__ import annotations

import json
import runpy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from enforcewatch.cli import main
from enforcewatch.draws import compose, membership, selection, verify
from enforcewatch.draws import record as rec
from enforcewatch.draws.hashing import commitment, salt_for
from enforcewatch.errors import InputError
from support.draws import ROOT, SAMPLES, TASK_KEY, as_data, completed, from_data, secret, uscc


def kinds(data: dict[str, Any], **kw: Any) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f in verify.check(from_data(data), **kw):
        out.setdefault(f.kind, []).append(f.message)
    return out


def test_a_fair_draw_verifies_and_has_the_counts_of_the_ratios() -> None:
    r = completed()
    assert verify.check(r) == []
    assert [(c.code, c.size, c.count) for c in r.classes] == [("A", 20, 1), ("B", 40, 2), ("C", 15, 2), ("D", 5, 2)]
    assert [s.credit_class for s in r.result] == ["A", "B", "B", "C", "C", "D", "D"]
    assert all(len(s.inspectors) == 2 == len(set(s.inspectors)) for s in r.result)


@pytest.mark.parametrize("path", sorted(SAMPLES.glob("*.json")), ids=lambda p: p.name)
def test_every_shipped_record_verifies_against_the_published_list(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["draws", "verify", str(path), "--content", str(ROOT / "site" / "content")]) == 0
    assert "核验通过" in capsys.readouterr().out


def test_the_shipped_sample_is_what_the_sample_script_makes() -> None:
    script = runpy.run_path(str(ROOT / "scripts" / "draws_sample.py"))
    made = script["make_sample"]()
    assert (SAMPLES / f"{made.id}.json").read_text(encoding="utf-8") == made.dump()


def _add_candidate(d: dict[str, Any]) -> None:
    d["classes"][1]["leaves"] = sorted([*d["classes"][1]["leaves"], "f" * 64])


def _drop_candidate(d: dict[str, Any]) -> None:
    d["classes"][0]["leaves"].pop()


def _drop_and_fix_size(d: dict[str, Any]) -> None:
    d["classes"][0]["leaves"].pop()
    d["classes"][0]["size"] -= 1


def _count(d: dict[str, Any]) -> None:
    d["classes"][3]["count"] = 1


def _ratio(d: dict[str, Any]) -> None:
    d["classes"][3]["ratio_bp"] = 1000
    d["classes"][3]["count"] = 1


def _reveal(d: dict[str, Any]) -> None:
    d["reveals"][1]["secret"] = "0" * 64


def _commitment(d: dict[str, Any]) -> None:
    d["commitments"][0]["commitment"] = "1" * 64


def _result_enterprise(d: dict[str, Any]) -> None:
    d["result"][0]["leaf"] = d["classes"][0]["leaves"][0] if d["result"][0]["leaf"] != d["classes"][0]["leaves"][0] \
        else d["classes"][0]["leaves"][1]


def _result_inspectors(d: dict[str, Any]) -> None:
    d["result"][2]["inspectors"] = list(reversed(d["result"][2]["inspectors"]))


def _seed(d: dict[str, Any]) -> None:
    d["seed"] = "2" * 64


def _version(d: dict[str, Any]) -> None:
    d["algorithm"] = "ewdraw-2"


def _withheld(d: dict[str, Any]) -> None:
    d["reveals"].pop()


def _public_value(d: dict[str, Any]) -> None:
    d["public_value"] = "3" * 64


TAMPERING: list[tuple[str, Callable[[dict[str, Any]], None], str, str]] = [
    ("candidate added", _add_candidate, "candidates", "名录被增删"),
    ("candidate dropped", _drop_candidate, "candidates", "名录被增删"),
    ("candidate dropped, size fixed", _drop_and_fix_size, "candidates", "候选名录摘要与名录不符"),
    ("count altered", _count, "counts", "D类抽取数量 1 与比例"),
    ("ratio altered", _ratio, "announcement", "公告摘要与记录内容不符"),
    ("reveal not matching", _reveal, "reveals", "司法局（justice）揭示的秘密与其承诺不符"),
    ("commitment swapped", _commitment, "announcement", "公告摘要与记录内容不符"),
    ("result enterprise", _result_enterprise, "result", "抽取结果第 1 家与按种子复算的结果不符"),
    ("result inspectors", _result_inspectors, "result", "第 3 家的检查人员与按种子复算的结果不符"),
    ("seed", _seed, "seed", "随机种子与各方揭示的秘密和公开值不符"),
    ("algorithm version", _version, "algorithm", "算法版本 “ewdraw-2”"),
    ("reveal withheld", _withheld, "reveals", "提交了承诺但没有揭示秘密"),
    ("public value", _public_value, "public_value", "公开值与抽取时间、公告摘要不符"),
]


@pytest.mark.parametrize(("name", "tamper", "kind", "says"), TAMPERING, ids=[t[0] for t in TAMPERING])
def test_each_kind_of_tampering_is_named(name: str, tamper: Callable[[dict[str, Any]], None], kind: str,
                                         says: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = as_data(completed())
    tamper(data)
    found = kinds(data)
    assert kind in found, found
    assert any(says in m for m in found[kind]), found
    path = tmp_path / "record.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert main(["draws", "verify", str(path)]) == 1
    assert says in capsys.readouterr().err


def test_ratios_differing_from_the_published_list_are_named() -> None:
    r = completed()
    published = {"base": 300, "A": 100, "B": 300, "C": 1000, "D": 5000}
    found = kinds(as_data(r), published_ratios=published)
    assert found == {"ratios": ["D类抽查比例 30% 与公布的随机抽查事项清单（scjg-cc-001）的 50% 不符"]}


def test_a_record_remade_consistently_differs_only_from_the_announced_digest() -> None:
    r = completed()
    other = completed(sizes={"A": 19, "B": 40, "C": 15, "D": 5})  # one candidate quietly dropped, all recomputed
    assert verify.check(other) == []
    found = kinds(as_data(other), announced=r.announcement_digest)
    assert list(found) == ["announcement"] and "事先公布" in found["announcement"][0]


def test_inspectors_avoid_last_time_where_the_list_allows() -> None:
    chosen = [("A", f"e{i}") for i in range(12)]
    first = selection.assign("ab" * 32, chosen, ["I1", "I2", "I3", "I4", "I5"], 2, {})
    before = {p.leaf: list(p.inspectors) for p in first}
    again = selection.assign("cd" * 32, chosen, ["I1", "I2", "I3", "I4", "I5"], 2, before)
    for p in again:
        assert not set(before[p.leaf]) & set(p.inspectors), p
    loads = [sum(i in p.inspectors for p in again) for i in ("I1", "I2", "I3", "I4", "I5")]
    assert max(loads) - min(loads) <= 1  # the work is spread evenly
    # Where the list does not allow it (only two inspectors), the team is still complete.
    tight = selection.assign("cd" * 32, chosen[:1], ["I1", "I2"], 2, {"e0": ["I1", "I2"]})
    assert sorted(tight[0].inspectors) == ["I1", "I2"]


def test_a_record_with_an_avoid_list_keeps_to_it() -> None:
    probe = completed()
    avoid = {uscc(n): ["ZF-01", "ZF-02", "ZF-03"] for n in range(1, 81)}  # every candidate: 3 of the 6
    r = completed(avoid_by_uscc=avoid)
    assert verify.check(r) == [] and probe.seed != r.seed
    assert all(set(s.inspectors) <= {"ZF-04", "ZF-05", "ZF-06"} for s in r.result)


def test_a_reveal_not_matching_is_refused_when_drawing() -> None:
    from support.draws import announced

    a = announced()
    with pytest.raises(InputError, match="司法局揭示的秘密与其承诺不符"):
        compose.complete(a, [rec.Reveal(party="agency", secret=secret("agency"), at="x"),
                             rec.Reveal(party="justice", secret="0" * 64, at="x")])
    with pytest.raises(InputError, match="尚未揭示：司法局"):
        compose.complete(a, [rec.Reveal(party="agency", secret=secret("agency"), at="x")])


def test_membership_with_the_salt(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    r = completed()
    path = tmp_path / "r.json"
    path.write_text(r.dump(), encoding="utf-8")
    drawn_code = next(uscc(n) for n in range(1, 81)
                      if membership.check(r, uscc(n), salt_for(TASK_KEY, uscc(n))).selected)
    m = membership.check(r, drawn_code, salt_for(TASK_KEY, drawn_code))
    assert m.credit_class and m.selected and len(m.inspectors) == 2
    assert main(["draws", "membership", str(path), "--uscc", uscc(2), "--salt", salt_for(TASK_KEY, uscc(2))]) == 0
    assert "已列入候选名录（A类）" in capsys.readouterr().out
    # The right code with a wrong salt, or a code that was never a candidate, is not found.
    assert main(["draws", "membership", str(path), "--uscc", uscc(2), "--salt", "00" * 16]) == 1
    assert main(["draws", "membership", str(path), "--uscc", uscc(99), "--salt", salt_for(TASK_KEY, uscc(99))]) == 1
    assert "未列入本次抽取的候选名录" in capsys.readouterr().out
    assert main(["draws", "membership", str(path), "--uscc", "91330100000000000", "--salt", "x"]) == 1
    assert "统一社会信用代码应为18位" in capsys.readouterr().err


def test_the_record_names_no_enterprise() -> None:
    r = completed()
    text = r.dump()
    assert not any(uscc(n) in text for n in range(1, 81))
    assert TASK_KEY not in text and salt_for(TASK_KEY, uscc(1)) not in text


def test_bad_files_get_a_message_naming_the_place(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    assert main(["draws", "verify", str(bad)]) == 1
    assert f"{bad}: 不是有效的 JSON" in capsys.readouterr().err
    data = as_data(completed())
    data["seed"] = "x"
    data["extra"] = 1
    bad.write_text(json.dumps(data), encoding="utf-8")
    assert main(["draws", "verify", str(bad)]) == 1
    assert f"{bad}: extra" in capsys.readouterr().err
    assert main(["draws", "verify", str(tmp_path / "none.json")]) == 1
    assert "无法读取" in capsys.readouterr().err


def test_secret_prints_a_commitment_that_matches(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["draws", "secret", "--draw", "t-9", "--party", "justice"]) == 0
    lines = capsys.readouterr().out.splitlines()
    s, c = lines[0].split("：")[-1], lines[1].split("：")[-1]
    assert commitment("t-9", "justice", s) == c


def test_an_announced_record_verifies_and_may_not_carry_a_result() -> None:
    from support.draws import announced

    a = announced()
    assert verify.check(a) == []
    early = as_data(completed())
    early["status"] = "announced"
    assert kinds(early) == {"result": ["记录尚未完成抽取，却已写有揭示值、种子或抽取结果"]}
