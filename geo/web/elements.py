"""The map's folium elements: `AtlasMap` (all assets local) and one `ScriptElement` base for every
element that emits a single script call with JSON arguments (atlas init, data, stories, presenter)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import folium
from branca.element import MacroElement
from jinja2 import Template

from geo import config
from geo.web import presenter
from geo.web.assets import inline_asset_links, served_asset_links
from geo.web.escape import script_json


class ScriptElement(MacroElement):
    """An element that emits one script statement, built by `script()` from the map's and the
    parent's variable names and JSON made by `script_json` (the only way data enters a script)."""

    _template = Template("{% macro script(this, kwargs) %}{{ this.script() }}{% endmacro %}")

    def __init__(self, name: str) -> None:
        super().__init__()
        self._name = name

    def parent_name(self) -> str:
        return self._parent.get_name()

    def map_name(self) -> str:
        """The folium Map's variable name, also when the parent is a FeatureGroup (st_folium's
        `feature_group_to_add`, rendered inside the mounted map)."""
        node = self._parent
        while node is not None and not isinstance(node, folium.Map):
            node = getattr(node, "_parent", None)
        return node.get_name() if node is not None else self._parent.get_name()

    def script(self) -> str:
        raise NotImplementedError


class AtlasMap(folium.Map):
    """A folium Map whose assets are all local (no CDN: no jQuery, Bootstrap or icon fonts)."""

    def __init__(
        self,
        *args: Any,
        online_tiles: bool | None = None,
        collapse_layers: bool = True,
        served_assets: bool = False,
        explorer: bool = False,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("tiles", None)
        kwargs.setdefault("prefer_canvas", True)
        super().__init__(*args, **kwargs)
        js, css = served_asset_links() if served_assets else inline_asset_links()
        self.default_js = list(js)
        self.default_css = list(css)
        online = config.online_tiles_enabled() if online_tiles is None else online_tiles
        AtlasInit(online_tiles=online, collapse_layers=collapse_layers, explorer=explorer).add_to(self)


class AtlasInit(ScriptElement):
    def __init__(self, online_tiles: bool, collapse_layers: bool = True, explorer: bool = False) -> None:
        super().__init__("AtlasInit")
        options = {"onlineTiles": bool(online_tiles), "collapseLayers": bool(collapse_layers)}
        if explorer:  # the app's explorer map (atlas-explorer.js): layer reports, URL view, hover
            options["explorer"] = True
        self.options = script_json(options)

    def script(self) -> str:
        return f"Atlas.init({self.parent_name()}, {self.options});"


class AtlasData(ScriptElement):
    """All data layers as one compact payload. Its parent is the map or a FeatureGroup (st_folium's
    `feature_group_to_add`), so the same element serves the first render and later updates."""

    def __init__(self, payload: Mapping[str, Any]) -> None:
        super().__init__("AtlasData")
        self.payload = script_json(payload)

    def script(self) -> str:
        return f"Atlas.addData({self.map_name()}, {self.parent_name()}, {self.payload});"


class StoryElement(ScriptElement):
    """The story's steps, captions and per-step payloads, handed to `AtlasBriefing.start`."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        super().__init__("AtlasStory")
        self.story = script_json(data)

    def script(self) -> str:
        return f"AtlasBriefing.start({self.parent_name()}, {self.story});"


class PresenterStyle(ScriptElement):
    """Presenter mode on the app's map: atlas.css's `.atlas-present` rules (large type, legend, the map
    filling its frame), no keyboard panning, and the stepping keys handed to the page (geo/web/presenter.py)."""

    def __init__(self) -> None:
        super().__init__("PresenterStyle")

    def script(self) -> str:
        return presenter.map_script(self.parent_name())


class FlyTo(ScriptElement):
    """Moves the map to a story step: a jump on first show, a flight afterwards. Lives in the feature
    group, so st_folium runs it exactly when the step (the group's script) changes."""

    def __init__(self, view: Mapping[str, Any]) -> None:
        super().__init__("FlyTo")
        self.view = script_json(view)

    def script(self) -> str:
        return (
            "(function (map, view) {"
            " var options = {padding: [view.padding, view.padding], maxZoom: view.maxZoom};"
            " map.atlasStoryView = view;"  # presenter mode fits it again when the window resizes
            " if (map.atlasStoryShown) { options.duration = 1.2; map.flyToBounds(view.bounds, options); }"
            " else { map.atlasStoryShown = true; map.fitBounds(view.bounds, options); }"
            f"}})({self.map_name()}, {self.view});"
        )
