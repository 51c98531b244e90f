"""The explorer page's layout: a slim header, the map filling the window, the filters folded away, fonts.

Static CSS only (docs/accessibility.md has the measured layout); app.py calls `page_style` once per run.
"""

from __future__ import annotations

import streamlit as st

from geo.web import assets, escape, fonts

# The map first: a slim header, the map filling the window's height below it (st_folium takes a
# height in px: its iframe is sized here instead, and atlas.js fills the iframe), the filters folded
# behind "Filters" (app.py: initial_sidebar_state), the details beside the map scrolling on their own;
# on a phone the columns stack and the map is full width.
HEADER_PX = 88  # Streamlit's top bar + the slim title line above the map
PAGE_CSS = (
    """
<style>
  /*FONTS*/
  .block-container { padding-top: 0.75rem; padding-bottom: 1rem; padding-left: 1.25rem; padding-right: 1.25rem; }
  h1 { padding-top: 0; }
  .st-key-atlas_header { flex-direction: row; flex-wrap: wrap; align-items: baseline; column-gap: 1rem;
    row-gap: 0; padding-right: 3rem; }
  .st-key-atlas_header > div { width: auto !important; flex: 0 1 auto; }
  /* The filters start folded away (the map first); the sidebar's own expand button says so in words,
     and Streamlit's top bar is see-through so the slim title line beside it shows. */
  [data-testid="stHeader"] { background: transparent; }
  [data-testid="stHeader"], [data-testid="stHeader"] * { pointer-events: none; }
  [data-testid="stHeader"] button, [data-testid="stHeader"] button *, [data-testid="stHeader"] a {
    pointer-events: auto; }
  [data-testid="stExpandSidebarButton"] { background: #fff; border: 1px solid #9ca3af; border-radius: 0.4rem;
    padding: 0.15rem 0.6rem 0.15rem 0.3rem; color: #111827; }
  [data-testid="stExpandSidebarButton"]::after { content: "Filters"; margin-left: 0.2rem; font-weight: 600;
    font-size: 0.95rem; }
  .stApp:has([data-testid="stExpandSidebarButton"]) .st-key-atlas_header { padding-left: 6.5rem; }
  .st-key-atlas_header h1 { font-size: 1.5rem; line-height: 1.3; padding: 0; margin: 0; }
  .st-key-atlas_header [data-testid="stCaptionContainer"] { margin: 0; }
  /* One line, whatever the count line says: it takes the room left and ends in "…" (the whole text stays
     in the page for screen readers), so the map's top never moves. Phones wrap instead. */
  @media (min-width: 641px) {
    .st-key-atlas_header { flex-wrap: nowrap; }
    .st-key-atlas_header > div:has([data-testid="stCaptionContainer"]) { flex: 1 1 0; min-width: 0; }
    .st-key-atlas_header > div:has(button) { flex: 0 0 auto; }
    .st-key-atlas_header [data-testid="stCaptionContainer"] p { white-space: nowrap; overflow: hidden;
      text-overflow: ellipsis; }
  }
  .st-key-atlas_header [data-testid="stHeading"] [data-testid="stMarkdownContainer"] { margin-bottom: 0; }
  .stElementContainer:has(> [data-testid="stHtml"]):not(:has(> [data-testid="stHtml"] > :not(script, style))) {
    display: none; }
  [data-testid="stElementContainer"]:has(> [data-testid="stMarkdown"] [data-testid="stMarkdownContainer"] > style:only-child) {
    display: none; }
  iframe[title="streamlit_folium.st_folium"] {
    height: calc(100vh - """
    + str(HEADER_PX)
    + """px) !important; min-height: 320px; }
  .st-key-atlas_details { max-height: calc(100vh - """
    + str(HEADER_PX)
    + """px); overflow-y: auto;
    padding-right: 0.25rem; }
  @media (max-width: 640px) {
    iframe[title="streamlit_folium.st_folium"] { height: calc(100vh - 215px) !important; }
    .st-key-atlas_details { max-height: none; }
    .block-container { padding-top: 3.25rem; }
    .stApp:has([data-testid="stExpandSidebarButton"]) .st-key-atlas_header { padding-left: 0; }
    .st-key-atlas_header [data-testid="stCaptionContainer"] p { display: -webkit-box; -webkit-line-clamp: 2;
      -webkit-box-orient: vertical; overflow: hidden; }
  }
  @media (prefers-reduced-motion: reduce) {
    *, *::before, *::after { animation-duration: 0.01ms !important; transition-duration: 0.01ms !important;
      scroll-behavior: auto !important; }
  }
</style>
"""
)


# Streamlit names its sidebar button "Expand sidebar"; the page shows it as "Filters". A speech-input user
# says what they see, so the name follows the label (WCAG 2.5.3): set here, and again whenever Streamlit
# draws the button anew (it does each time the sidebar folds).
FILTERS_NAME_JS = """<script>
(function (name) {
  var win = window.parent && window.parent.document ? window.parent : window, doc = win.document;
  win.__atlasFiltersName = name;
  function apply() {
    var button = doc.querySelector('[data-testid="stExpandSidebarButton"]');
    if (button && button.getAttribute("aria-label") !== win.__atlasFiltersName) {
      button.setAttribute("aria-label", win.__atlasFiltersName);
    }
  }
  apply();
  if (!win.__atlasFiltersObserver) {
    win.__atlasFiltersObserver = new win.MutationObserver(apply);
    win.__atlasFiltersObserver.observe(doc.body, { childList: true, subtree: true });
  }
})(%s);
</script>"""


def filters_button(active: int) -> None:
    """Label the folded filters' button with the number in use ("Filters · 2"), as the count line names
    them (a shared link opens filtered with the sidebar folded), and give it that name for assistive
    technology. Only a number is interpolated: nothing from data or the URL reaches the CSS or script."""
    count = int(active)
    style = (
        f'<style>[data-testid="stExpandSidebarButton"]::after {{ content: "Filters · {count}"; }}'
        "@media (min-width: 641px) { .stApp:has([data-testid=stExpandSidebarButton]) .st-key-atlas_header {"
        " padding-left: 8rem; } }</style>"
        if count
        else ""
    )
    name = f"Filters, {count} in use" if count else "Filters"
    st.html(style + FILTERS_NAME_JS % escape.script_json(name), unsafe_allow_javascript=True)


def page_style() -> None:
    """The page's layout and fonts (static CSS only): the map above the fold, filling the window's height."""
    # Fonts from the static server (subset + on-demand slices), or the subset inlined when nothing can be
    # served (a read-only install).
    font_css = fonts.app_import() if assets.serving_available() else fonts.inline_css()
    st.markdown(PAGE_CSS.replace("/*FONTS*/", font_css), unsafe_allow_html=True)
