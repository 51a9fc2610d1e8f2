"""User text (notes, actions, names of channels, campaigns and sources from files) shown as literal text.

Streamlit renders Markdown in titles, captions, alerts, button and expander labels; Plotly renders a subset
of HTML in titles, legends and hovers. Text that came from a user or a file goes through :func:`md` or
:func:`chart_text` before it reaches them, so ``[x](javascript:…)`` or ``<img …>`` shows as those characters.
(``st.dataframe``, ``st.data_editor``, ``st.text`` and widget options show text as is: no escaping there.)
"""

from __future__ import annotations

import html
import re

# Inline: emphasis (an '_' inside a word, as in snake_case names, cannot start any), code, links and images
# ([ ]), HTML and autolinks (< >), tables (|), LaTeX ($), entities (&), e-mail autolinks (@), URL autolinks (the ':'
# of '://' and the '.' of 'www.').
_INLINE = re.compile(r"[\\`*\[\]<>~$|&@]|(?<![^\W_])_|_(?![^\W_])|:(?=//)|(?<=www)\.", re.IGNORECASE)
# Block markers at the start of a line: headings, quotes, lists, setext underlines, ordered lists.
_BLOCK = re.compile(r"^([ \t]*)([#>+=-]|\d+(?=[.)]))", re.MULTILINE)


def md(text: object) -> str:
    """``text`` for a Markdown-rendering Streamlit call (st.markdown, caption, alerts, titles, button labels):
    every character that would start Markdown is backslash-escaped, so it shows as typed."""
    escaped = _INLINE.sub(lambda m: "\\" + m.group(0), "" if text is None else str(text))
    return _BLOCK.sub(_escape_block, escaped)


def _escape_block(match: re.Match) -> str:
    indent, marker = match.groups()
    return indent + (marker + "\\" if marker[0].isdigit() else "\\" + marker)


def chart_text(text: object) -> str:
    """``text`` for a Plotly title, trace name or hover value: ``&``, ``<`` and ``>`` as entities."""
    return html.escape("" if text is None else str(text), quote=False)
