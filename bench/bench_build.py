"""Benchmark of `enforcewatch build` as users run it, WITH the search index (Pagefind) unless
--no-search: 10,000 generated items over 20 departments, and ten times the shipped content.
Each run, interleaved so load on the machine hits both alike:

  full      build into an empty output directory (pages, downloads and the search index);
  hugo      if `hugo` is on PATH: Hugo builds the same pages (index, department and item pages)
            from the same data with a minimal layout, into an empty directory, then Pagefind
            indexes Hugo's output (how a Hugo site gets the same search) — the baseline;
  rebuild   one item's name changes, then build again into the full build's output: the target is
            ≤ 0.1 of the full build measured in the same run;
  x10       ten times the shipped content's items, built with search: the target is under 1 s
            (Hugo + Pagefind on the same items printed beside it).

Prints median (min–max) and ratios; lines starting with RESULT are read by bench/run_all.py.

    .venv/bin/python bench/bench_build.py [--items 10000] [--departments 20] [--runs 3] [--no-search]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import yaml

from enforcewatch.sitegen.build import build_site

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "site" / "templates"
SHARES = {"enforcement-items": 0.6, "spot-checks": 0.2, "leniency": 0.2}


def timed(fn: object) -> float:
    start = time.perf_counter()
    fn()  # type: ignore[operator]
    return time.perf_counter() - start


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.3f} ({min(values):.3f}–{max(values):.3f})"


def change_one_item(content: Path, run: int) -> None:
    """Rename one enforcement item, as an editor would, in the middle of the largest list."""
    path = content / "lists" / "enforcement-items.yaml"
    text = path.read_text(encoding="utf-8")
    old = "name: 对违反第5000项规定行为的行政处罚" if "第5000项" in text else "name: 对违反第1项规定行为的行政处罚"
    marker = text.index(old)
    end = text.index("\n", marker)
    path.write_text(text[:marker] + f"{old}（第{run}次修订）" + text[end:], encoding="utf-8")


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


def pagefind_command() -> list[str]:
    """Pagefind's CLI (the same binary the build uses), as a Hugo site runs it after Hugo."""
    from pagefind.service import get_executable

    exe = get_executable()
    if exe is None:
        raise SystemExit("Pagefind binary missing (scripts/setup installs it)")
    return [str(exe), "--force-language", "zh-cn", "--silent"]


def hugo_with_search(hugo: str, site: Path, out: Path, search: bool) -> None:
    shutil.rmtree(out, ignore_errors=True)
    subprocess.run([hugo, "--quiet", "-s", str(site), "-d", str(out)], check=True)
    if search:
        subprocess.run([*pagefind_command(), "--site", str(out)], check=True)


def shipped_times_ten(tmp: Path, hugo: str | None, runs: int, search: bool, rng: random.Random) -> None:
    """The size a city really has: ten times the shipped content's items, built with search into
    an empty directory (target under one second), beside Hugo (+ Pagefind) on the same items."""
    total = 10 * sum(len(yaml.safe_load(p.read_text(encoding="utf-8"))["items"])
                     for p in (ROOT / "site" / "content" / "lists").glob("*.yaml"))
    lists = generate(tmp / "content10", total, 20, rng)
    if hugo:
        hugo_site(tmp / "hugo10", lists)
    times, base = [], []
    for _ in range(runs):
        shutil.rmtree(tmp / "out10", ignore_errors=True)
        times.append(timed(lambda: build_site(tmp / "content10", TEMPLATES, tmp / "out10", search=search)))
        if hugo:
            base.append(timed(lambda: hugo_with_search(hugo, tmp / "hugo10", tmp / "hugo10-out", search)))
    what = "with search" if search else "without search"
    print(f"shipped content x10 ({total} items) {what}: {spread(times)} s (target: under 1 s)"
          + (f"; Hugo{' + Pagefind' if search else ''} {spread(base)} s" if hugo else ""))
    for t, b in zip(times, base or [1.0] * len(times), strict=True):
        print(f"RESULT\tbuild shipped x10 ({total} items) {what}, vs {'hugo' if hugo else '1 s'}\t{t:.6f}\t{b:.6f}\ts\tratio")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--items", type=int, default=10_000)
    ap.add_argument("--departments", type=int, default=20)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-search", action="store_true",
                    help="build without the search index (and Hugo without Pagefind); search is on by default")
    args = ap.parse_args()
    search = not args.no_search
    rng = random.Random(2025)
    hugo = shutil.which("hugo")
    what = "with search (Pagefind)" if search else "WITHOUT search"
    base_name = "hugo + pagefind" if search else "hugo"
    print(f"builds {what}; baseline: {base_name if hugo else 'none (hugo not on PATH; Debian: apt-get install hugo)'}")
    with tempfile.TemporaryDirectory(prefix="ew-bench-") as tmp_name:
        tmp = Path(tmp_name)
        shipped = [timed(lambda: build_site(ROOT / "site" / "content", TEMPLATES, tmp / "shipped", search=search))
                   for _ in range(args.runs)]
        files = sum(1 for p in (tmp / "shipped").rglob("*") if p.is_file())
        print(f"shipped content: {spread(shipped)} s ({files} files)")
        shipped_times_ten(tmp, hugo, args.runs, search, rng)

        lists = generate(tmp / "content", args.items, args.departments, rng)
        if hugo:
            hugo_site(tmp / "hugo", lists)
        full, base, rebuild, search_step = [], [], [], []
        for run in range(args.runs):
            shutil.rmtree(tmp / "big", ignore_errors=True)
            full.append(timed(lambda: search_step.append(
                build_site(tmp / "content", TEMPLATES, tmp / "big", search=search).search_seconds)))
            if hugo:
                base.append(timed(lambda: hugo_with_search(hugo, tmp / "hugo", tmp / "hugo-out", search)))
            change_one_item(tmp / "content", run)
            rebuild.append(timed(lambda: search_step.append(
                build_site(tmp / "content", TEMPLATES, tmp / "big", search=search).search_seconds)))
        files = sum(1 for p in (tmp / "big").rglob("*") if p.is_file())
        print(f"{args.items} items / {args.departments} departments, {args.runs} runs, {what}, "
              f"load {os.getloadavg()[0]:.1f}: {files} files")
        print(f"  full build      {spread(full)} s  ({args.items / statistics.median(full):.0f} items/s)")
        if search:
            print(f"    of which search index {spread(search_step[0::2])} s; in the rebuild {spread(search_step[1::2])} s")
        if hugo:
            hfiles = sum(1 for p in (tmp / "hugo-out").rglob("*") if p.is_file())
            ratios = [f / b for f, b in zip(full, base, strict=True)]
            print(f"  {base_name}, same items {spread(base)} s  ({hfiles} files)")
            print(f"  full / {base_name} {statistics.median(ratios):.2f}x ({min(ratios):.2f}–{max(ratios):.2f})")
            for f, b in zip(full, base, strict=True):
                print(f"RESULT\tbuild {args.items} items {what} vs {base_name}\t{f:.6f}\t{b:.6f}\ts\tratio")
        ratios = [r / f for r, f in zip(rebuild, full, strict=True)]
        print(f"  rebuild, 1 item {spread(rebuild)} s  / full {statistics.median(ratios):.3f} "
              f"({min(ratios):.3f}–{max(ratios):.3f})")
        for r, f in zip(rebuild, full, strict=True):
            print(f"RESULT\trebuild after 1 item {what} vs full build\t{r:.6f}\t{f:.6f}\ts\tratio")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
