"""The build publishes each draw record and refuses one that does not verify, naming the file and
the cause (issue 21: nothing is published that the page's own check would fail)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from enforcewatch.draws.publication import draws_hook
from enforcewatch.errors import ContentError
from enforcewatch.sitegen.content import load_content
from support.draws import ROOT, SAMPLES

SAMPLE = sorted(SAMPLES.glob("*.json"))[0]


@pytest.fixture(scope="module")
def content():  # type: ignore[no-untyped-def]
    return load_content(ROOT / "site" / "content")


def _dir(tmp_path: Path, name: str, data: dict | str) -> Path:
    (tmp_path / "draws").mkdir(parents=True)
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    (tmp_path / "draws" / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_the_sample_is_published_with_an_index(content) -> None:  # type: ignore[no-untyped-def]
    out = draws_hook(ROOT / "site" / "content")(content)
    files = out["data_files"]
    assert files[f"data/draws/{SAMPLE.name}"] == SAMPLE.read_text(encoding="utf-8")
    assert json.loads(files["data/draws/index.json"])[0]["json"] == f"/data/draws/{SAMPLE.name}"
    (draw,) = out["draws"]
    assert draw["scheduled"] == "2026年11月20日 10:00（北京时间）" and draw["candidates"] == 120
    assert [c["count"] for c in draw["classes"]] == [1, 2, 3, 3] and len(draw["result"]) == 9


def test_no_draws_directory_publishes_an_empty_index(content, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = draws_hook(tmp_path)(content)
    assert out["draws"] == [] and json.loads(out["data_files"]["data/draws/index.json"]) == []


@pytest.mark.parametrize(("name", "change", "says"), [
    ("tampered", lambda d: d["reveals"][0].update(secret="0" * 64), "核验未通过：执法机关（agency）揭示的秘密与其承诺不符"),
    ("ratio", lambda d: (d["classes"][0].update(ratio_bp=200)), "A类抽查比例 2% 与公布的随机抽查事项清单"),
    ("matter", lambda d: d["matter"].update(item_id="no-such-item"), "随机抽查事项清单中没有事项 no-such-item"),
], ids=["tampered", "ratio", "matter"])
def test_a_record_that_does_not_verify_stops_the_build(content, tmp_path: Path, name: str, change, says: str
                                                       ) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(SAMPLE.read_text(encoding="utf-8"))
    change(data)
    with pytest.raises(ContentError) as err:
        draws_hook(_dir(tmp_path, SAMPLE.name, data))(content)
    assert f"draws/{SAMPLE.name}" in str(err.value) and says in str(err.value)


def test_bad_json_and_a_wrong_file_name_are_named(content, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ContentError, match="draws/x.json.*不是有效的 JSON"):
        draws_hook(_dir(tmp_path / "a", "x.json", "{"))(content)
    shutil.copy(SAMPLE, _dir(tmp_path / "b", "other.json", "{}") / "draws" / "other.json")
    with pytest.raises(ContentError, match=f"文件名应为 {SAMPLE.stem}.json"):
        draws_hook(tmp_path / "b")(content)


def test_check_verifies_the_draw_records(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from enforcewatch.cli import main

    content = tmp_path / "content"
    shutil.copytree(ROOT / "site" / "content", content)
    assert main(["check", "--content", str(content)]) == 0
    assert "抽取记录 1 份" in capsys.readouterr().err
    data = json.loads(SAMPLE.read_text(encoding="utf-8"))
    data["result"][0]["inspectors"].reverse()
    (content / "draws" / SAMPLE.name).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert main(["check", "--content", str(content)]) == 1
    assert f"draws/{SAMPLE.name}: result: 核验未通过：第 1 家的检查人员" in capsys.readouterr().err
