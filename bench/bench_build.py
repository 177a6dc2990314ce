"""Benchmark of `enforcewatch build`: the shipped content, and 10,000 generated items over 20
departments; if `hugo` is on PATH, Hugo builds the same pages (index, department and item pages)
from the same data with a minimal layout, as the baseline. Prints medians of 3 and ratios.

    .venv/bin/python bench/bench_build.py [--items 10000] [--departments 20] [--runs 3]
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import yaml

from enforcewatch.build import build_site

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "site" / "templates"
SHARES = {"enforcement-items": 0.6, "spot-checks": 0.2, "leniency": 0.2}


def timed(fn: object, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def generate(target: Path, total: int, n_depts: int, rng: random.Random) -> dict[str, list[dict[str, object]]]:
    """Copy the shipped settings and pages, then write `total` items over `n_depts` departments."""
    shutil.copytree(ROOT / "site" / "content", target, ignore=shutil.ignore_patterns("lists", "calendar"))
    (target / "lists").mkdir()
    depts = [{"id": f"d{i:02d}", "name": f"第{i}部门", "body": f"示范市第{i}部门", "hotline": "12345"}
             for i in range(n_depts)]
    (target / "departments.yaml").write_text(yaml.safe_dump(depts, allow_unicode=True), encoding="utf-8")
    kinds = ["行政许可", "行政处罚", "行政强制", "行政检查"]
    basis = [{"law": "《中华人民共和国行政处罚法》", "provisions": ["第三十二条", "第三十三条第一款"]}]
    meta = {"publisher": "示范市司法局", "published": "2025-03-01"}
    lists: dict[str, list[dict[str, object]]] = {}
    for key, share in SHARES.items():
        items = []
        for n in range(int(total * share)):
            dept = depts[n % n_depts]["id"]
            common = {"id": f"{dept}-{key[:2]}-{n:05d}", "department": dept, "seq": n + 1,
                      "body": f"示范市第{n % n_depts}部门", "updated": "2025-01-15",
                      "notes": rng.choice(["", "原则上通过“双随机、一公开”方式实施。"])}
            if key == "enforcement-items":
                items.append({**common, "name": f"对违反第{n}项规定行为的行政处罚", "kind": rng.choice(kinds),
                              "handling_unit": "综合行政执法支队", "basis": basis, "object": "企业"})
            elif key == "spot-checks":
                items.append({**common, "category": "安全生产检查", "item": f"第{n}项检查", "objects": "企业",
                              "item_class": rng.choice(["重点检查事项", "一般检查事项"]), "methods": ["现场检查"],
                              "basis": basis, "ratio_pct": {"base": 5, "A": 2, "D": 30}, "frequency": "每年1次"})
            else:
                items.append({**common, "kind": rng.choice(["不予处罚", "首违不罚"]), "violation": f"第{n}项轻微违法",
                              "conditions": ["初次违法", "及时改正"], "leniency_basis": "行政处罚法第三十三条",
                              "measures": ["教育提醒"]})
        doc: dict[str, object] = {"meta": {**meta, "title": f"{key}（基准测试）"}, "items": items}
        if key == "spot-checks":
            doc["credit_policy"] = {"classes": [{"code": c, "name": c, "rule": "规则"} for c in "ABCD"]}
        (target / "lists" / f"{key}.yaml").write_text(
            yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
        lists[key] = items
    return lists


HUGO_LAYOUTS = {
    "_default/baseof.html": '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{{ .Title }}</title>'
                            '<link rel="stylesheet" href="/static/site.css"></head><body><main>{{ block "main" . }}'
                            "{{ end }}</main><footer>主办单位：示范市</footer></body></html>",
    "_default/single.html": '{{ define "main" }}<h1>{{ .Title }}</h1><dl>{{ range $k, $v := .Params }}'
                            "<dt>{{ $k }}</dt><dd>{{ $v }}</dd>{{ end }}</dl>{{ end }}",
    "_default/list.html": '{{ define "main" }}<h1>{{ .Title }}</h1><table><tbody>{{ range .Pages }}<tr><th>'
                          '<a href="{{ .RelPermalink }}">{{ .Title }}</a></th><td>{{ .Params.department }}</td>'
                          "</tr>{{ end }}</tbody></table>{{ end }}",
}


def hugo_site(target: Path, lists: dict[str, list[dict[str, object]]]) -> None:
    """The same pages for Hugo: one content file per item, a section per list, departments as terms."""
    (target / "content").mkdir(parents=True)
    (target / "config.yaml").write_text(
        "baseURL: https://example.gov.cn/\nlanguageCode: zh-CN\ndisableKinds: [RSS]\n"
        "taxonomies: {department: departments}\n", encoding="utf-8")
    for rel, text in HUGO_LAYOUTS.items():
        (target / "layouts" / rel).parent.mkdir(parents=True, exist_ok=True)
        (target / "layouts" / rel).write_text(text, encoding="utf-8")
    for key, items in lists.items():
        section = target / "content" / key
        section.mkdir()
        (section / "_index.md").write_text(f"---\ntitle: {key}\n---\n", encoding="utf-8")
        for item in items:
            front = {**item, "title": item.get("name") or item.get("item") or item.get("violation"),
                     "departments": [item["department"]]}
            (section / f"{item['id']}.md").write_text(
                "---\n" + yaml.safe_dump(front, allow_unicode=True) + "---\n", encoding="utf-8")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", type=int, default=10_000)
    ap.add_argument("--departments", type=int, default=20)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    rng = random.Random(2025)
    with tempfile.TemporaryDirectory(prefix="ew-bench-") as tmp_name:
        tmp = Path(tmp_name)
        shipped = timed(lambda: build_site(ROOT / "site" / "content", TEMPLATES, tmp / "shipped"), args.runs)
        files = sum(1 for p in (tmp / "shipped").rglob("*") if p.is_file())
        print(f"shipped content: {shipped:.3f} s median of {args.runs} ({files} files)")

        lists = generate(tmp / "content", args.items, args.departments, rng)
        big = timed(lambda: build_site(tmp / "content", TEMPLATES, tmp / "big"), args.runs)
        files = sum(1 for p in (tmp / "big").rglob("*") if p.is_file())
        print(f"{args.items} items / {args.departments} departments: {big:.3f} s median of {args.runs} "
              f"({files} files, {args.items / big:.0f} items/s)")

        hugo = shutil.which("hugo")
        if not hugo:
            print("hugo not on PATH: no baseline ratio")
            return 0
        hugo_site(tmp / "hugo", lists)
        baseline = timed(lambda: subprocess.run(
            [hugo, "--quiet", "-s", str(tmp / "hugo"), "-d", str(tmp / "hugo-out")], check=True), args.runs)
        files = sum(1 for p in (tmp / "hugo-out").rglob("*") if p.is_file())
        print(f"hugo baseline, same items: {baseline:.3f} s median of {args.runs} ({files} files)")
        print(f"ratio enforcewatch/hugo: {big / baseline:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
