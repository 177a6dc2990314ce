"""Rendering item pages on two CPUs gives the same pages, in order, and the same errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from enforcewatch.errors import ContentError
from enforcewatch.sitegen import renderpool
from enforcewatch.sitegen.render import make_environment, render_template


@pytest.fixture
def env(tmp_path: Path):  # noqa: ANN201
    (tmp_path / "item.html").write_text("<p>{{ item.name }} {{ n }}</p>\n{{ item.missing if n == 7 else '' }}",
                                        encoding="utf-8")
    return make_environment(tmp_path)


def jobs(env, count: int, bad: int | None = None) -> list[renderpool.Job]:  # noqa: ANN001
    template = env.get_template("item.html")
    return [(f"i/{n}/index.html", template, {"item": {"name": f"事项{n}"} if n != bad else {}, "n": n})
            for n in range(count)]


@pytest.mark.parametrize("min_pages", [2, 10_000], ids=["two-processes", "one-process"])
def test_same_pages_in_order(env, monkeypatch: pytest.MonkeyPatch, min_pages: int) -> None:  # noqa: ANN001
    monkeypatch.setattr(renderpool, "MIN_PAGES", min_pages)
    monkeypatch.setattr(renderpool, "_spare_cpu", lambda: True)
    got = renderpool.render_pages(jobs(env, 9)[:7], render_template)
    assert [rel for rel, _ in got] == [f"i/{n}/index.html" for n in range(7)]
    assert [html.split("\n")[0] for _, html in got] == [f"<p>事项{n} {n}</p>" for n in range(7)]


@pytest.mark.parametrize("bad", [4, 5], ids=["this-process", "second-process"])
def test_template_error_in_either_half_is_a_content_error(env, monkeypatch: pytest.MonkeyPatch,  # noqa: ANN001
                                                          bad: int) -> None:
    monkeypatch.setattr(renderpool, "MIN_PAGES", 2)
    monkeypatch.setattr(renderpool, "_spare_cpu", lambda: True)
    with pytest.raises(ContentError) as exc:
        renderpool.render_pages(jobs(env, 7, bad=bad), render_template)
    [problem] = exc.value.problems
    assert problem.path.endswith("item.html") and "模板错误" in problem.message


def test_idle_cpus_is_sampled_now_and_falls_back_to_the_load_average(monkeypatch: pytest.MonkeyPatch) -> None:
    idle = renderpool.idle_cpus(0.02)
    assert idle is None or 0.0 <= idle <= (os.cpu_count() or 1)
    monkeypatch.setattr(renderpool, "_cpus", lambda: 2)
    monkeypatch.setattr(renderpool, "idle_cpus", lambda window=0.05: 1.5)
    assert renderpool._spare_cpu()
    monkeypatch.setattr(renderpool, "idle_cpus", lambda window=0.05: 0.3)
    assert not renderpool._spare_cpu()
    monkeypatch.setattr(renderpool, "idle_cpus", lambda window=0.05: None)  # no /proc/stat
    monkeypatch.setattr(os, "getloadavg", lambda: (0.2, 0.2, 0.2))
    assert renderpool._spare_cpu()
    monkeypatch.setattr(os, "getloadavg", lambda: (1.5, 1.5, 1.5))
    assert not renderpool._spare_cpu()
    monkeypatch.setattr(renderpool, "_cpus", lambda: 1)
    assert not renderpool._spare_cpu()
