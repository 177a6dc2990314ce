"""Markdown to safe HTML for pages and list notes.

Python-Markdown passes raw HTML through, so its output is sanitised with nh3 (ammonia): a page
cannot carry script, event handlers, styles or `javascript:` links into the site. Each distinct
text is rendered once per process.
"""

from __future__ import annotations

from functools import lru_cache

import markdown
import nh3

ALLOWED_TAGS = frozenset({
    "a", "abbr", "blockquote", "br", "caption", "code", "dd", "del", "div", "dl", "dt", "em",
    "h2", "h3", "h4", "h5", "h6", "hr", "li", "ol", "p", "pre", "span", "strong", "sub", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
})
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start"},
    "h2": {"id"}, "h3": {"id"}, "h4": {"id"},
}
# Relative URLs are kept; absolute ones only with these schemes.
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})


def sanitise(html: str) -> str:
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
    )


@lru_cache(maxsize=4096)
def render_markdown(text: str) -> str:
    """Markdown source -> sanitised HTML fragment."""
    html = markdown.markdown(text, extensions=["tables", "sane_lists", "fenced_code"], output_format="html")
    return sanitise(html)
