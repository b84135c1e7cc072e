"""The snapshot a dashboard session reads: the store pinned to it, and how it is named.

Every read the dashboard makes — its own texts (``reads``), the audit catalog
(``run_question``), the name look-ups and the scope checks of ``graph`` — goes through
one :class:`PinnedStore`, so every text that uses ``$snapshot`` answers for the snapshot
chosen in the sidebar, without each caller passing it.  (A plain ``store.read`` pins the
latest published snapshot: ``graph.snapshots.with_snapshot``.)

The sidebar lists the published snapshots newest first, each named by its snapshot date,
全量/增量 and ordinal; the choice travels in the address bar as ``?snapshot=RUN_ID`` (a
date or ``latest`` are understood too, as on the command line).

>>> s = Snapshot(2, "2025-12-31", "r2", "full")
>>> entry_label(s, latest=2)
'2025-12-31 · 全量 · 第 2 次（最新）'
>>> entry_label(s, latest=3, lang="en")
'2025-12-31 · full · #2'
>>> found, ok = chosen([Snapshot(1, "2025-06-30", "r1"), s], "nope")
>>> found.ordinal, ok
(2, False)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..graph.display import term
from ..graph.snapshots import Snapshot, pick
from ..graph.stores.base import Row, Store
from .i18n import t

__all__ = ["SNAPSHOT_KEY", "PinnedStore", "Snapshot", "chosen", "entry_label"]

#: Session state: the snapshot the session reads — a run id (or a date) from the picker or
#: ``?snapshot=``; absent or None = the latest published one.
SNAPSHOT_KEY = "sel_snapshot"


class PinnedStore:
    """A store whose reads answer for one snapshot: ``$snapshot`` is bound to ``ordinal``
    in every read whose text uses it — also over a value a layer below binds (a helper
    that fills in "the latest" when not told which), so nothing read through it can
    answer for another snapshot.  Everything else — writes, the metadata space, the
    description — is the wrapped store's."""

    def __init__(self, store: Store, ordinal: int) -> None:
        self._store = store
        self.ordinal = ordinal
        self.engine = store.engine
        self.description = store.description

    def read(self, query: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        out = dict(params or {})
        if "$snapshot" in query:
            out["snapshot"] = self.ordinal
        return self._store.read(query, out)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def entry_label(s: Snapshot, latest: int, lang: str = "zh") -> str:
    """How the picker names a snapshot: its date, 全量/增量, its ordinal (the latest marked)."""
    text = t("snap.entry", lang, date=s.date or "—", kind=term("sync_kind", s.kind, lang),
             ordinal=s.ordinal)
    return text + (t("snap.latest", lang) if s.ordinal == latest else "")


def chosen(snapshots: Sequence[Snapshot], wanted: str | None) -> tuple[Snapshot | None, bool]:
    """The snapshot ``wanted`` names (a run id, a date, ``latest``; None = the latest) and
    whether it named one: an unknown value falls back to the latest, flagged ``False``."""
    if not snapshots:
        return None, wanted is None
    found = pick(snapshots, wanted)
    if found is None:
        return snapshots[-1], False
    return found, True
