"""Session state, language, the sidebar and moving between pages.

Cross-page selections (the unit open in the explorer, the person open in People) live
in plain session-state keys, not widget keys, because Streamlit drops a widget's state
when its page is not drawn.  Everything is set up once behind a guard in
:func:`init_state`.
"""

from __future__ import annotations

import functools
import re
from typing import Any, Final

import streamlit as st

from ..graph import display
from ..graph.snapshots import Snapshot
from ..present.stores import store_text
from .i18n import LANGS, t
from .snapshot import SNAPSHOT_KEY, chosen, entry_label

__all__ = [
    "MARK_COLOURS",
    "NO_EXPORT",
    "PAGES",
    "PICKER_KEY",
    "TOOLBAR_HIDDEN",
    "favicon",
    "from_query",
    "go",
    "init_state",
    "label",
    "lang",
    "mark",
    "no_export",
    "plain",
    "rate",
    "sidebar",
    "snapshot_picker",
    "table",
    "to_query",
    "value",
    "when",
]

#: url path → the StreamlitPage object, filled by app.py on every run.
PAGES: dict[str, Any] = {}

_DEFAULTS: dict[str, Any] = {
    "lang": "zh",
    "sel_unit": None,  # unit code open in the explorer; None = the top
    "sel_person": None,  # person code open in People
}


def init_state() -> None:
    for key, value in _DEFAULTS.items():
        if key not in st.session_state:
            st.session_state[key] = value


#: Streamlit's own option that removes the CSV download (and clipboard copy) from every
#: table's toolbar.  ``redgov dashboard`` passes it on the command line, so the first page
#: of the first session already has it; :func:`no_export` sets it again for a server
#: started with ``streamlit run``.
NO_EXPORT: Final = "client.disableDataExport"


def no_export() -> None:
    """Downloads are an auditor's right and go through redgov (logged, role-gated): no
    table offers Streamlit's own unlogged CSV download."""
    if st.get_option(NO_EXPORT) is not True:
        st.set_option(NO_EXPORT, True)


#: Every table's toolbar hidden (issue 19): Streamlit 1.67 writes its buttons' tooltips
#: (search, full screen, columns) in English with no way to translate them, and the one
#: button worth having, the download, is redgov's own (logged, role-gated).  A style-only
#: ``st.html`` goes to Streamlit's event container and takes no room on the page.
TOOLBAR_HIDDEN: Final = ('<style>[data-testid="stDataFrame"] [data-testid="stElementToolbar"]'
                         '{display:none !important}</style>')


def table(data: Any = None, **kwargs: Any) -> Any:
    """``st.dataframe`` for every table of every page, never with Streamlit's own export.

    The one place tables are drawn, so a table cannot be added that offers its rows for
    download unlogged (tests/test_access_log.py checks no page calls ``st.dataframe``).
    Not a data-protection control on its own: what a page shows, its viewer has; the
    point is that *downloads* are offered only by redgov's own buttons.  No toolbar
    (:data:`TOOLBAR_HIDDEN`); a table without rows is one line in words (Streamlit's
    grid would say "empty"), and gives no selection (None, as callers expect).
    """
    no_export()
    frame = getattr(data, "data", data)  # a pandas Styler holds its frame as .data
    if getattr(frame, "empty", False) or (isinstance(frame, list | tuple) and not frame):
        st.caption(label("app.empty"))
        return None
    st.html(TOOLBAR_HIDDEN)
    return st.dataframe(arrow_ready(data), **kwargs)


def arrow_ready(data: Any) -> Any:
    """A frame whose text columns also hold numbers, made all text before Streamlit sees it.

    ``present.cell`` shows a missing value as ``""`` and keeps a number a number, so a
    column such as 依据行号 can hold both.  Streamlit then fails its first Arrow conversion,
    logs the pyarrow traceback and converts the column to text itself; doing that here
    gives the same table without the failed conversion and the logged traceback.
    """
    columns = getattr(data, "columns", None)
    if columns is None or not hasattr(data, "astype"):
        return data  # a list, a Styler or anything else: Streamlit's own handling
    mixed = [c for c in columns if data[c].dtype == object and _mixes_text(data[c])]
    if not mixed:
        return data
    data = data.copy()
    for c in mixed:
        data[c] = data[c].astype("string")
    return data


def _mixes_text(values: Any) -> bool:
    kinds = {type(v) for v in values if v is not None and v == v}  # v == v: not NaN
    return str in kinds and len(kinds) > 1


def lang() -> str:
    value = st.session_state.get("lang", "zh")
    return value if value in LANGS else "zh"


def label(key: str, **values: object) -> str:
    """:func:`i18n.t` in the session's language."""
    return t(key, lang(), **values)


def plain(text: object) -> str:
    r"""Registry text for a place Streamlit reads as Markdown, escaped to show literally.

    A unit may be named ``![t](http://host/x.png)``: unescaped, Streamlit would draw a
    remote image (and the browser would fetch it).  Every Markdown punctuation mark is
    backslash-escaped (HTML is never enabled), so the text shows as typed.

    >>> print(plain("![t](http://host/x.png)"))
    \!\[t\]\(http\://host/x\.png\)

    A refusal that speaks both languages (``StoreError``, ``ParamError``: a ``text(lang)``
    method) is shown in the session's.
    """
    speak = getattr(text, "text", None) if isinstance(text, Exception) else None
    shown = speak(lang()) if callable(speak) else str(text)
    return _MARKDOWN.sub(r"\\\g<0>", shown)


_MARKDOWN: Final = re.compile(r"[\\`*_{}\[\]()#+\-.!|~<>:$&]")

#: A mark's colour name (Streamlit's own Markdown colours) by state.
MARK_COLOURS: Final = {"ok": "green", "warn": "orange", "bad": "red", "none": "gray"}


def mark(state: str, word: str) -> str:
    """A coloured badge with its word inside, as Streamlit Markdown (no emoji, no HTML).

    >>> mark("ok", "已覆盖")
    ':green-badge[已覆盖]'
    """
    return f":{MARK_COLOURS[state]}-badge[{plain(word)}]"


def rate(value: float | None) -> str:
    """Every rate on every page: the display vocabulary's one rounding rule."""
    return display.format_rate(value, lang()) or "—"


def when(moment: Any) -> str:
    """A moment (UTC in the graph) in Beijing time."""
    return display.format_time(moment, lang())


def value(domain: str, code: Any) -> str:
    """A code (level, kind, finding …) in the session's language."""
    return display.term(domain, code, lang())


def sidebar(store_description: str, snapshots: list[Snapshot]) -> None:
    """Language, store, the snapshot picker and the as-of date it sets."""
    with st.sidebar:
        st.radio(t("app.lang", lang()), LANGS, key="lang", horizontal=True,
                 format_func=lambda v: "中文" if v == "zh" else "English")
        st.caption(label("app.store", store=plain(store_text(store_description, lang()))))
        st.caption(label("app.zone"))
        snap = snapshot_picker(snapshots)
        if snap is not None and snap.date:
            st.caption(label("app.as_of", date=snap.date))


#: The picker's widget key (its value is a run id; the choice itself is SNAPSHOT_KEY).
PICKER_KEY: Final = "snap.pick"


def snapshot_picker(snapshots: list[Snapshot]) -> Snapshot | None:
    """The published snapshots, newest first; the choice kept in ``?snapshot=RUN_ID``.

    A link's ``?snapshot=`` is taken in once per distinct value (a run id, a date or
    ``latest``); one naming no published snapshot gets a notice and the latest.  Nothing
    chosen (no link, no pick) reads the latest, whichever that is after a new sync.
    """
    asked = st.query_params.get("snapshot")
    if asked and st.session_state.get("_query_snapshot") != asked:
        st.session_state["_query_snapshot"] = asked
        st.session_state[SNAPSHOT_KEY] = asked
        st.session_state.pop(PICKER_KEY, None)  # the box follows the link
    snap, found = chosen(snapshots, st.session_state.get(SNAPSHOT_KEY))
    if not found:
        st.warning(label("snap.unknown", spec=plain(st.session_state.get(SNAPSHOT_KEY))))
        st.session_state[SNAPSHOT_KEY] = None
        st.session_state.pop(PICKER_KEY, None)
    if snap is None:
        to_query("snapshot", None)
        return None
    newest = snapshots[::-1]
    ids = [s.run_id for s in newest]
    if st.session_state.get(PICKER_KEY) not in (None, snap.run_id):
        st.session_state.pop(PICKER_KEY)  # stale (a new sync, a link): show the choice
    names = {s.run_id: entry_label(s, snapshots[-1].ordinal, lang()) for s in newest}
    st.selectbox(label("snap.pick"), ids, key=PICKER_KEY, index=ids.index(snap.run_id),
                 format_func=names.__getitem__, help=label("snap.help"), on_change=_picked)
    to_query("snapshot", snap.run_id if st.session_state.get(SNAPSHOT_KEY) else None)
    return snap


def _picked() -> None:
    """The picker changed: that run is the session's choice from now on."""
    st.session_state[SNAPSHOT_KEY] = st.session_state[PICKER_KEY]


def from_query(name: str) -> None:
    """Let ``?unit=CODE`` / ``?person=CODE`` open a selection (links, bookmarks, tests).

    Applied once per distinct value, so choosing something else on the page wins.
    """
    value = st.query_params.get(name)
    seen = f"_query_{name}"
    if value and st.session_state.get(seen) != value:
        st.session_state[seen] = value
        st.session_state[f"sel_{name}"] = value


def to_query(name: str, value: str | None) -> None:
    """Mirror the selection in the address bar so the page can be bookmarked."""
    if value:
        if st.query_params.get(name) != value:
            st.query_params[name] = value
            st.session_state[f"_query_{name}"] = value
    elif name in st.query_params:
        del st.query_params[name]


def go(page: str, **selection: Any) -> None:
    """Set the cross-page selection (``unit=…``, ``person=…``) and switch page."""
    for key, value in selection.items():
        st.session_state[f"sel_{key}"] = value
    st.switch_page(PAGES[page])


@functools.cache
def favicon() -> Any:
    """The tab icon, drawn here so the browser asks 127.0.0.1 for it.

    Without one Streamlit takes the open page's ``:material/…:`` icon and points the
    favicon at fonts.gstatic.com — an outside address no page may depend on.
    """
    from PIL import Image, ImageDraw

    icon = Image.new("RGBA", (32, 32), (0, 0, 0, 0))
    ImageDraw.Draw(icon).rounded_rectangle((2, 2, 29, 29), radius=6, fill="#c0392b")
    return icon
