"""The one copy of plotly.js that a self-contained HTML report inlines: the basic partial bundle (about 1.2 MB)
when it matches the installed plotly and covers every chart's trace types, otherwise plotly's full bundle
(about 4.8 MB)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import plotly.graph_objects as go
from plotly.offline import get_plotlyjs, get_plotlyjs_version

BASIC_BUNDLE = Path(__file__).with_name("vendor") / "plotly-basic.min.js"
BASIC_TRACES = frozenset({"scatter", "bar", "pie"})  # what plotly.js's basic bundle draws


@cache
def _basic_bundle() -> str | None:
    """The vendored basic bundle's text, or None when it is missing or built for another plotly.js version."""
    try:
        text = BASIC_BUNDLE.read_text(encoding="utf-8")
    except OSError:
        return None
    found = re.search(r"plotly\.js \(basic - minified\) v(\S+)", text[:300])
    return text if found and found.group(1) == get_plotlyjs_version() else None


def plotlyjs_for(figures: list[go.Figure]) -> tuple[str, str]:
    """(the plotly.js source to inline once for ``figures``, which bundle it is: 'basic' or 'full')."""
    basic = _basic_bundle()
    if basic is not None and all(trace.type in BASIC_TRACES for figure in figures for trace in figure.data):
        return basic, "basic"
    return get_plotlyjs(), "full"


def script_tag(source: str) -> str:
    """``source`` as an inline script; a '</script' inside it cannot end the tag early."""
    return '<script type="text/javascript">' + source.replace("</script", "<\\/script") + "</script>"
