"""Plain HTML forms (no JavaScript): urlencoded bodies in, whole pages out.

`report_data` / `complaint_data` turn a form post into the dict the domain validates; the page is
rendered again through the site's own templates (`render.make_environment`) with `form` (what the
user typed) and `errors` (field key → message), or with `result` after a success.
"""

from __future__ import annotations

import random
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import escape

from enforcewatch.clock import china_time_text
from enforcewatch.errors import FieldError
from enforcewatch.intake.submissions import VOCABULARY

CHECKED = {"1", "on", "true", "yes", "是"}
INSPECTION_FIELDS = (
    "date", "agency", "officer_count", "credentials_shown", "credential_nos", "inspection_type", "notice_given",
    "filed_or_scanned", "items_checked", "outcome", "outcome_note", "satisfaction", "comment",
)
_ROW = re.compile(r"^inspections-(\d{1,3})-(\w+)$")
MAX_ROWS = 100
PAGES = {"report": "pages/report/index.html", "complaint": "pages/complaint/index.html",
         "receipt": "pages/receipt/index.html", "materials": "pages/materials/index.html",
         "inbox": "pages/inbox/index.html"}


def _checked(pairs: list[tuple[str, str]], name: str) -> bool:
    return any(k == name and v.strip().lower() in CHECKED for k, v in pairs)


def single(pairs: list[tuple[str, str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in pairs:
        out.setdefault(k, v)
    return out


def report_form(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """The typed values, shaped for the template: blank inspection rows dropped, the rest renumbered."""
    values = single(pairs)
    rows: dict[int, dict[str, Any]] = {}
    for k, v in pairs:
        m = _ROW.match(k)
        if not m or int(m.group(1)) >= MAX_ROWS:
            continue
        row = rows.setdefault(int(m.group(1)), {"misconduct": []})
        if m.group(2) == "misconduct":
            row["misconduct"].append(v)
        else:
            row.setdefault(m.group(2), v)
    inspections = [rows[i] for i in sorted(rows) if any(str(x).strip() for x in rows[i].values() if x)]
    form: dict[str, Any] = {k: values.get(k, "") for k in ("point_id", "month", "suggestions", "contact_name",
                                                            "contact_phone")}
    form.update(inspections=inspections, attest=_checked(pairs, "attest"),
                no_inspections=_checked(pairs, "no_inspections"))
    return form


def report_data(form: dict[str, Any], access_code: str) -> tuple[dict[str, Any], list[FieldError]]:
    """The domain's input from a report form, plus the form-only problems (the no-inspections box)."""
    problems = []
    if form["no_inspections"] and form["inspections"]:
        problems.append(FieldError(("no_inspections",), "本月未接受检查：已勾选，但下方填写了检查记录，请二选一"))
    if not form["no_inspections"] and not form["inspections"]:
        problems.append(FieldError(("no_inspections",), "检查记录：请填写检查情况，或勾选“本月未接受行政执法检查”"))
    data: dict[str, Any] = {k: v for k, v in form.items() if k not in ("inspections", "no_inspections") and v != ""}
    data["access_code"] = access_code
    data["inspections"] = [
        {k: v for k, v in row.items() if k in INSPECTION_FIELDS and v != ""} | {"misconduct": row["misconduct"]}
        for row in form["inspections"]
    ]
    return data, problems


COMPLAINT_TEXT = ("complainant_type", "name", "uscc", "phone", "email", "agency", "officers", "incident_date",
                  "place", "category", "description", "request")
COMPLAINT_BOOLS = ("wants_reply", "other_proceedings", "attest")


def complaint_form(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    values = single(pairs)
    form: dict[str, Any] = {k: values.get(k, "") for k in COMPLAINT_TEXT}
    form.update({k: _checked(pairs, k) for k in COMPLAINT_BOOLS})
    return form


def complaint_data(form: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in form.items() if v != ""}


def china_time(timestamp: str) -> str:
    """A stored UTC timestamp as people read it: Beijing time, to the second."""
    return china_time_text(datetime.fromisoformat(timestamp), "%Y年%m月%d日 %H:%M:%S")


def error_map(errors: list[FieldError]) -> dict[str, str]:
    """Field key ("inspections.0.date", "" for the whole form) → message; the first per field."""
    out: dict[str, str] = {}
    for e in errors:
        out.setdefault(".".join(str(part) for part in e.loc), e.msg)
    return out


class FormPages:
    """Renders the form pages with the site's templates and settings, loaded on first use."""

    def __init__(self, templates_dir: Path, content_dir: Path, rng: random.Random | None = None) -> None:
        self.templates_dir = templates_dir
        self.content_dir = content_dir
        self.rng = rng or random.SystemRandom()
        self._env: Any = None
        self._context: dict[str, Any] | None = None

    def _load(self) -> tuple[Any, dict[str, Any]]:
        if self._env is None or self._context is None:
            # cold start: the site's templates load on the first no-JS form page, not at function start
            from enforcewatch.sitegen.build import base_context
            from enforcewatch.sitegen.content import load_content
            from enforcewatch.sitegen.render import make_environment

            self._env = make_environment(self.templates_dir)
            self._context = base_context(load_content(self.content_dir))
        return self._env, self._context

    def render(self, page: str, *, status: int = 200, **extra: Any) -> HTMLResponse:
        env, base = self._load()
        key = "".join(self.rng.choice("0123456789abcdefghjkmnpqrstvwxyz") for _ in range(26))
        context = {**base, "vocabulary": VOCABULARY, "page_path": f"/{page}/", "idempotency_key": key, **extra}
        html = env.get_template(PAGES[page]).render(context)
        return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})

    def rerender(self, request: Request, page: str, values: dict[str, Any], errors: list[FieldError],
                 status: int) -> Response:
        return self.render(page, status=status, form=values, errors=error_map(errors))


def plain_page(title: str, lines: list[str], status: int = 200) -> HTMLResponse:
    """A bare answer when the site's templates are not deployed with the function."""
    body = "".join(f"<p>{escape(line)}</p>" for line in lines)
    html = (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f"</head><body><h1>{escape(title)}</h1>{body}<p>请使用浏览器的“后退”返回表单。</p></body></html>")
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})


def plain_rerender(request: Request, page: str, values: dict[str, Any], errors: list[FieldError],
                   status: int) -> Response:
    return plain_page("提交未成功", [e.msg for e in errors], status)

