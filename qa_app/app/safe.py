"""Escaping: document text is data, never markup.

Streamlit renders Markdown in ``st.markdown``, captions, headings, button/metric/expander labels.
Every piece of document text shown there goes through ``md()``, which backslash-escapes all
Markdown and HTML syntax; the app never uses ``unsafe_allow_html``. Tables go to ``st.dataframe``,
which shows cell text as text.
"""

from __future__ import annotations

import re

_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=&\"'^@%])")


def md(text: object) -> str:
    """Markdown-safe text: every syntax character escaped, line breaks kept."""
    s = "" if text is None else str(text)
    return _SPECIAL.sub(r"\\\1", s).replace("\r", "").replace("\n", "  \n")


_LIST = re.compile(r"^(\s{0,6})([-*•]|\d{1,3}[.)])\s+")


def md_text(text: object) -> str:
    """Like ``md``, but a line that starts with a list marker (``- ``, ``1. ``) stays a list item; only
    the marker is kept as Markdown, the item text is escaped."""
    out = []
    for line in ("" if text is None else str(text)).replace("\r", "").split("\n"):
        m = _LIST.match(line)
        if m:
            marker = "-" if m.group(2) in "-*•" else m.group(2).replace(")", ".")
            out.append(f"{m.group(1)}{marker} {md(line[m.end():])}")
        else:
            out.append(md(line) + "  ")
    return "\n".join(out)


def one_line(text: object, limit: int = 80) -> str:
    """Collapse white space and shorten (for labels and select options; escape separately)."""
    s = " ".join(("" if text is None else str(text)).split())
    return s if len(s) <= limit else s[: limit - 1] + "…"


def file_stem(text: str) -> str:
    """A download file name made of the text's letters, digits and CJK only."""
    s = re.sub(r"[^\w\u4e00-\u9fff.-]+", "_", text).strip("._")
    return s[:80] or "table"
