"""The one Jinja environment of the site: autoescape on, missing variables fail, filters here.

The generator, and the API when it re-renders a form without JavaScript, both use
`make_environment`; only Markdown rendered and sanitised by our own code is marked safe.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from jinja2 import (
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    StrictUndefined,
    Template,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
)
from markupsafe import Markup

from enforcewatch.errors import ContentError, ContentProblem
from enforcewatch.intake.contract import required_fields
from enforcewatch.intake.submissions import VOCABULARY
from enforcewatch.sitegen.assets import STATIC_DIR, AssetManifest
from enforcewatch.sitegen.markdown_render import render_markdown


def markdown_filter(text: str) -> Markup:
    return Markup(render_markdown(text))  # noqa: S704 - sanitised by nh3 in render_markdown


def laws_filter(refs: Iterable[object]) -> str:
    """《法》第一条、第二条；《法2》第三条"""
    return "；".join(str(r) for r in refs)


def date_zh(value: dt.date | None) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def ratio_filter(value: float) -> str:
    return f"{value:g}%"


def make_environment(templates_dir: Path | str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(templates_dir)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        cache_size=-1,
    )
    env.filters["markdown"] = markdown_filter
    env.filters["laws"] = laws_filter
    env.filters["date_zh"] = date_zh
    env.filters["ratio"] = ratio_filter
    env.globals["asset"] = AssetManifest(Path(templates_dir) / STATIC_DIR)  # asset("site.css") -> fingerprinted URL
    env.globals["vocabulary"] = VOCABULARY  # the submission forms' choices (enforcewatch.intake.submissions)
    env.globals["requirements"] = required_fields()  # 必填/选填 marks: what the server requires (intake.contract)
    return env


class CompiledTemplates(FileSystemBytecodeCache):
    """Jinja's per-user cache of compiled templates (checked against each template's source),
    keyed also on the environment's syntax options, which shape the compiled code too. Compiling
    the site's templates is most of an unchanged rebuild's rendering time."""

    def __init__(self, env: Environment) -> None:
        super().__init__()
        self.options = repr((env.block_start_string, env.block_end_string, env.variable_start_string,
                             env.variable_end_string, env.comment_start_string, env.comment_end_string,
                             env.line_statement_prefix, env.line_comment_prefix, env.trim_blocks,
                             env.lstrip_blocks, env.newline_sequence, env.keep_trailing_newline,
                             env.autoescape, env.optimized, sorted(env.extensions)))

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return super().get_cache_key(f"{self.options}|{name}", filename)


def get_template(env: Environment, name: str) -> Template:
    """Load and compile a template, turning a missing file or a syntax error into a ContentError."""
    try:
        return env.get_template(name)
    except TemplateSyntaxError as exc:
        where = exc.filename or name
        raise ContentError([ContentProblem(str(where), exc.lineno, "", f"模板语法错误：{exc.message}")]) from exc
    except TemplateNotFound as exc:
        roots = getattr(env.loader, "searchpath", None) or ["templates"]
        raise ContentError([ContentProblem(str(roots[0]), None, "", f"找不到模板 {exc.name}")]) from exc


def render_template(template: Template, context: Mapping[str, Any]) -> str:
    """Render, turning a template mistake into a ContentError naming the template and line."""
    try:
        return template.render(context)
    except TemplateError as exc:
        line = getattr(exc, "lineno", None)
        name = getattr(exc, "filename", None) or template.filename or template.name or "?"
        if line is None:
            line = _template_line(exc, name)
        raise ContentError([ContentProblem(str(name), line, "", f"模板错误：{exc}")]) from exc


def _template_line(exc: BaseException, filename: str) -> int | None:
    """The template line of an error raised while rendering (Jinja rewrites tracebacks)."""
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
