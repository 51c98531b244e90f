"""axe-core in the browser tests: every frame of a page checked, serious and critical violations reported.

axe-core (MPL-2.0, Deque Systems) comes inside the pinned PyPI package axe-playwright-python as
`axe.min.js`; it is read from the installed package and injected into each frame, so nothing is fetched.
"""

from __future__ import annotations

import json

import needs

BLOCKING = ("serious", "critical")


def axe_script() -> str:
    try:
        from axe_playwright_python.base import AXE_SCRIPT
    except ImportError:
        needs.missing("axe-playwright-python not installed (pip install -r requirements-dev.txt)")
    return AXE_SCRIPT


def violations(page, exclude: dict[str, str] | None = None, disable: dict[str, str] | None = None) -> list[dict]:
    """Serious and critical axe violations in every frame of `page`, as {frame, rule, impact, targets, help}.

    `exclude` maps CSS selectors to the reason each is left out; `disable` maps axe rule ids to the reason
    each is off. Both are listed by the calling test, with their reasons, so nothing is left out silently.
    """
    script = axe_script()
    options = {"resultTypes": ["violations"], "iframes": False}
    if disable:
        options["rules"] = {rule: {"enabled": False} for rule in disable}
    context = {"exclude": [[selector] for selector in (exclude or {})]}
    found = []
    for frame in page.frames:
        try:
            if not frame.evaluate("() => !!document.body"):
                continue
            frame.evaluate(script)
            result = frame.evaluate(f"() => axe.run({json.dumps(context)}, {json.dumps(options)})")
        except Exception as exc:  # a frame that went away while checked (Streamlit reruns)
            if "detached" in str(exc) or "destroyed" in str(exc):
                continue
            raise
        for v in result["violations"]:
            if v.get("impact") in BLOCKING:
                found.append(
                    {
                        "frame": frame.url[:80],
                        "rule": v["id"],
                        "impact": v["impact"],
                        "help": v["help"],
                        "targets": [n["target"] for n in v["nodes"]][:6],
                        "summary": [n.get("failureSummary", "")[:200] for n in v["nodes"]][:2],
                    }
                )
    return found
