"""Briefing Atlas — Streamlit shell: page config, widgets, and calls into `geo`."""

from __future__ import annotations

import functools

import streamlit as st
from streamlit_folium import st_folium

from geo.app import articles, changes, corpus, dates, details, eventtable, page, review
from geo.app import state as appstate
from geo.layers import filters as view_filters
from geo.web import timeline

st.set_page_config(page_title="Briefing Atlas", page_icon="🗺️", layout="wide", initial_sidebar_state="collapsed")
page.page_style()

atlas = appstate.load_atlas()  # cached; never raises, keeps the last good build on bad input
appstate.show_problems(atlas.problems)
layers = atlas.layers

mode = str(st.query_params.get("mode", "") or "")
if mode in ("present", "notes"):
    from geo.app import present

    present.render(layers, mode=mode, signature=atlas.signature)
    st.stop()

# A session's first run draws the map first; the rest of the page follows once it is drawn.
complete = appstate.page_complete()

facts = appstate.dataset_facts(atlas.signature, layers)  # per dataset, not per rerun
span = facts.span

if "filters" not in st.session_state:
    st.session_state.filters = view_filters.Filters.from_query_params(st.query_params)
    st.session_state.event = st.session_state.filters.event
    st.session_state.map_view = view_filters.parse_view(st.query_params)  # a shared link's map position
    appstate.seed_widgets(st.session_state, st.session_state.filters, layers, facts)
    changes.seed(st.query_params)

busy = dates.cached_busy_window(atlas.signature, layers, span)
if "w_all_dates" not in st.session_state:
    dates.seed(st.session_state, st.session_state.filters, span, busy)

review.show_new_events(span, busy)  # accepted events may lie beyond the old date range
filters = appstate.filters_from_widgets(st.session_state, span)
filtered = view_filters.filter_layers(layers, filters, aliases=appstate.place_aliases, places=appstate.place_points)
filtered, store_status = corpus.with_corpus(filtered, filters)
added_rows = articles.added_article_rows()
if added_rows:
    filtered["added"] = articles.added_layer(added_rows)
event_ids = list(filtered["events"]["id"])
if st.session_state.get("event") and st.session_state.event not in set(layers["events"]["id"]):
    st.session_state.event = ""

# ------------------------------------------------------------------ map + details
with st.container(key="atlas_header"):  # slim: the map fills the window's height below it (geo/app/page.py)
    st.title("Briefing Atlas", anchor=False)
    st.caption(view_filters.count_line(len(event_ids), len(layers["events"]), filters, filtered, layers))
    page.filters_button(len(view_filters.active_names(filters)))
    st.button(
        "Presenter mode",
        help="Large type, no sidebar, steps through the story",
        icon=":material/co_present:",
        type="tertiary",
        on_click=appstate.on_presenter_mode,
    )

since = changes.current(atlas.signature)  # since=<version>: badges, ghosts and the "What's new" panel
map_col, detail_col = st.columns([5, 2], gap="small")
with map_col:
    # Same script every rerun: never remounted (the session's first position, from a shared link, is fixed).
    base = appstate.base_map(layers, atlas.signature, view=st.session_state.get("map_view"))
    fly = appstate.fly_target(layers, st.session_state.get("event", "")) or (
        articles.added_view() if added_rows else None
    )
    st_folium(
        base,
        key=appstate.MAP_KEY,
        height=620,
        use_container_width=True,
        # Bounds only when a corpus store is queried per viewport; otherwise panning never reruns.
        returned_objects=["last_active_drawing"]  # the clicked dot's id, as data (atlas.js)
        + (["bounds"] if corpus.store_configured() else [])
        + (["last_clicked"] if st.session_state.get("map_picking") else []),  # a place picked on the map
        on_change=review.on_map_change,  # appstate.on_map_change + a place picked on the map
        feature_group_to_add=appstate.map_data(
            atlas.signature,
            layers,
            filtered,
            filters,
            visible=tuple(filters.layers) + ("added",),
            since=(since or {}).get("marks"),
        ),
        center=fly[0] if fly else None,
        zoom=fly[1] if fly else None,
    )

    if store_status:
        st.caption(store_status)

# The timeline and table data are computed before anything else is drawn: the map's update then
# reaches the browser alone, and it is on screen before the rest of the page arrives to re-render.
chart = appstate.timeline_chart(atlas.signature, filters, filtered["events"], facts.types) if complete else None
table = eventtable.table_rows(filtered["events"], layers, details.TABLE_ROWS) if complete else None
st.session_state.table_ids = [row["id"] for row in table or []]

with detail_col, st.container(key="atlas_details"):  # scrolls on its own beside the map
    changes.panel(since, layers)
    details.render_details(st, layers, st.session_state.get("event", ""))

# ------------------------------------------------------------------ sidebar: filters
# Drawn after the map: the filters are read from session state above (a widget's new value is there
# before the run starts), and every element sent before the map is one more the browser renders
# before the map can update. The buttons act in callbacks, which run before the script.
with st.sidebar:
    st.header("Filters")
    if not complete:
        st.caption("The filters follow as soon as the map is drawn.")
    else:
        actor_labels = appstate.actor_labels(layers)
        st.multiselect("Actors", options=list(actor_labels), format_func=actor_labels.get, key="w_actors")
        st.multiselect("Event type", options=facts.types, key="w_types")
        source_labels = facts.source_labels
        if source_labels:
            st.multiselect(
                "Source article", options=list(source_labels), format_func=source_labels.get, key="w_sources"
            )
        dates.render(span, busy)
        st.text_input("Search", key="w_query", placeholder="Kursk, 平壤, Ulan Bator, Putin…")
        st.multiselect("Layers", options=list(view_filters.ALL_LAYERS), key="w_layers")
        st.checkbox("Disputed only", key="w_disputed", help="Events whose sources disagree (a black ring on the map)")
        changes.selector()
        st.divider()
        with st.expander("Add an article", expanded=bool(st.session_state.get("added"))):
            st.text_area("Paste text", key="w_paste", height=140, max_chars=articles.PASTE_LIMIT_CHARS)
            st.file_uploader(
                "…or upload .txt, .md, .html (used instead of pasted text)",
                type=["txt", "md", "html", "htm"],
                key="w_upload",
            )
            st.date_input(
                "Published",
                key="w_published",
                value=None,
                help='Relative dates ("on Tuesday") count from it; empty: the article\'s dateline',
            )
            st.button("Find places", width="stretch", on_click=articles.on_find_places)
            articles.show_added_article_message()
        review.editor_controls()


# The address bar last: the browser updates it after the map (a shared link reproduces the view).
st.query_params.from_dict(
    {**filters.with_(event=st.session_state.get("event", "")).to_query_params(), **changes.url_params(st.query_params)}
)

# ------------------------------------------------------------------ timeline + table
if complete:
    timeline_col, table_col = st.columns([5, 6], gap="medium")
    with timeline_col:
        st.subheader("Timeline")
        if chart is not None:
            st.vega_lite_chart(
                *chart,
                width="stretch",
                key=appstate.TIMELINE_KEY,
                selection_mode=list(timeline.TIMELINE_SELECTIONS),
                on_select=functools.partial(appstate.on_timeline_select, span, busy),
            )
        else:
            st.info("No dated events match the filters.")
    with table_col:
        st.subheader("Events")
        if len(filtered["events"]) > len(table):
            st.caption(f"First {len(table)} of {len(filtered['events'])} matching events; filters narrow the list.")
        eventtable.event_table(table, selected=st.session_state.get("event", ""), max_height=320)
        details.download_shown_events(filtered["events"])
else:
    st.caption("The timeline and the event table follow as soon as the map is drawn.")

if st.session_state.get("added"):
    added = st.session_state.added
    review.render(added["text"], added["name"], articles.published_date())
    articles.render_places(added_rows, articles.added_article_mentions()[1])
