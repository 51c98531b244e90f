"""The added article's text with each draft's passage highlighted, reporting the user's selection.

A Streamlit v2 component with inline JavaScript (no build step, nothing fetched): the text is set
with `textContent` (never parsed as HTML), highlights are `<mark>` elements around UTF-16 ranges of
the rendered text, and a selection inside the text is reported as the UTF-16 offsets of its ends in
that text (the length of the text before each end, from a DOM `Range`). Python converts them to
code points of the stored article with `geo.dataset.selection.selection_to_span`.
"""

from __future__ import annotations

import streamlit as st

from geo.dataset import selection

KEY = "article_text"

CSS = """
.atlas-article { white-space: pre-wrap; font-size: 0.95rem; line-height: 1.5; max-height: 460px;
  overflow-y: auto; border: 1px solid #d0d7e2; border-radius: 6px; padding: 0.6rem 0.8rem;
  background: #fff; color: #111827; }
.atlas-article mark { background: #fde68a; color: inherit; border-radius: 2px; padding: 0; }
.atlas-article mark[data-decision="accept"] { background: #bbf7d0; }
.atlas-article mark[data-decision="reject"] { background: #e5e7eb; text-decoration: line-through; }
.atlas-article mark.atlas-focus { outline: 2px solid #4338ca; }
.atlas-article sup { color: #4338ca; font-weight: 600; font-size: 0.7em; user-select: none; }
"""

JS = """
export default function (component) {
  const { data, parentElement, setStateValue } = component;
  let box = parentElement.querySelector('.atlas-article');
  if (!box) {
    box = document.createElement('div');
    box.className = 'atlas-article';
    box.setAttribute('data-testid', 'atlas-article-text');
    parentElement.appendChild(box);
  }
  const text = (data && data.text) || '';
  const marks = (data && data.highlights) || [];
  const cuts = new Set([0, text.length]);
  for (const m of marks) { cuts.add(Math.max(0, Math.min(text.length, m.start)));
                           cuts.add(Math.max(0, Math.min(text.length, m.end))); }
  const points = [...cuts].sort((a, b) => a - b);
  box.textContent = '';
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i], b = points[i + 1];
    const piece = document.createTextNode(text.slice(a, b));
    const over = marks.filter(m => m.start <= a && m.end >= b && m.end > m.start);
    if (!over.length) { box.appendChild(piece); continue; }
    const mark = document.createElement('mark');
    mark.dataset.n = over.map(m => m.n).join(',');
    mark.dataset.decision = over[over.length - 1].decision || 'pending';
    mark.title = 'Draft ' + over.map(m => m.n).join(', ');
    if (data.focus && over.some(m => m.n === data.focus)) mark.classList.add('atlas-focus');
    mark.appendChild(piece);
    box.appendChild(mark);
  }
  const offset = (node, off) => {
    const r = document.createRange();
    r.setStart(box, 0);
    r.setEnd(node, off);
    return r.toString().length;  // UTF-16 units of the rendered text before this point
  };
  const report = () => {
    const sel = document.getSelection();
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return;
    const range = sel.getRangeAt(0);
    if (!box.contains(range.startContainer) || !box.contains(range.endContainer)) return;
    const start = offset(range.startContainer, range.startOffset);
    const end = offset(range.endContainer, range.endOffset);
    if (end <= start) return;
    setStateValue('selection', { start: start, end: end, text: text.slice(start, end).slice(0, 300) });
  };
  box.onmouseup = report;
  box.onkeyup = report;
  box.ontouchend = report;
}
"""

_component = st.components.v2.component("atlas_article_text", css=CSS, js=JS, isolate_styles=False)


# Remembers an editor's author label across reloads (undo removes one's own last acceptance): a
# first-party cookie the server reads when a session starts (st.context.cookies). Never sent elsewhere.
AUTHOR_COOKIE = "atlas_author"
_AUTHOR_JS = """
export default function (component) {
  const id = component.data && component.data.author;
  if (id && !document.cookie.split('; ').some(c => c === 'COOKIE=' + id)) {
    document.cookie = 'COOKIE=' + id + '; path=/; max-age=31536000; SameSite=Strict';
  }
}
""".replace("COOKIE", AUTHOR_COOKIE)
_author_component = st.components.v2.component("atlas_author_cookie", js=_AUTHOR_JS, isolate_styles=False)


def remember_author(author: str) -> None:
    """Keep `author` in the browser's cookie so that a reload is the same author."""
    _author_component(data={"author": author}, key="atlas_author_cookie", height=0)


def article_text(stored: str, highlights: list[dict], focus: int | None = None, key: str = KEY):
    """Mount the article text (the stored text as a browser renders it) with `highlights` (UTF-16
    ranges, see `geo.drafting.review.highlights`); returns the component's state, whose
    `selection` is {start, end, text} in UTF-16 units of the rendered text, or None."""
    data = {"text": selection.rendered(stored), "highlights": highlights, "focus": focus}
    return _component(data=data, key=key, default={"selection": None}, on_selection_change=lambda: None)


def current_selection(key: str = KEY) -> dict | None:
    """The last selection reported by the component (from session state), or None."""
    value = st.session_state.get(key)
    try:
        sel = value["selection"] if value is not None else None
    except (KeyError, TypeError):
        return None
    return sel if isinstance(sel, dict) and "start" in sel and "end" in sel else None
