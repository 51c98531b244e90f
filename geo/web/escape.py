"""The one place where text from data or articles is escaped on its way to HTML.

- `escape_html` for text placed in markup by Python;
- `escape_markdown` for Streamlit elements that render Markdown;
- `script_json` is the one way data enters a script (JSON with `<`, `>`, `&`, U+2028/9 escaped, so a
  `</script>` or `<!--` inside a title cannot end the script block).

The browser side (`assets/atlas.js`) builds popups, tooltips and the legend with `textContent` only.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

_UNSAFE_IN_SCRIPT = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def escape_html(value: Any) -> str:
    """Escape text for HTML content or attributes. Backtick and `$` too: folium templates and some
    consumers place text inside JavaScript template literals, where `${…}` would run."""
    text = "" if value is None else str(value)
    return (
        html.escape(text, quote=True)
        .replace("`", "&#96;")
        .replace("$", "&#36;")
        .replace("{", "&#123;")
        .replace("}", "&#125;")
    )  # folium/branca re-render markup as Jinja


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-!|~:$&])")


def escape_markdown(value: Any) -> str:
    """Text for Streamlit elements that render Markdown (subheader, caption, error, …): Markdown's
    active characters are backslash-escaped and line breaks folded, so data cannot become a link, an
    image (an outside request), emphasis, LaTeX or a coloured directive; it shows as typed."""
    text = "" if value is None else str(value)
    text = _MD_SPECIAL.sub(r"\\\1", " ".join(text.splitlines()))
    return re.sub(r"^(\s*\d+)([.)])", r"\1\\\2", text)  # "1. …" would start a list


def script_json(obj: Any) -> str:
    """Serialise `obj` as JSON that is safe to embed inside a `<script>` element."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=_json_default)
    text = re.sub("[<>&\u2028\u2029]", lambda m: _UNSAFE_IN_SCRIPT[m.group(0)], text)
    # branca renders each script macro's output as a Jinja template once more, so "{{ … }}" in data would
    # run as template code on the server. `{{`, `{%`, `{#` can only occur inside JSON strings: escape them.
    return re.sub(r"\{(?=[{%#])", r"\\u007b", text)


def _json_default(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if isinstance(value, (set, tuple)):
        return list(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")
