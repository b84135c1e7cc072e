"""The facts behind an answer, for the dashboard: a diff between two snapshots (the 变化
page) and the evidence of one audit row (the 审计 page) — the same code the CLI runs
(``redgov diff``, ``redgov audit NAME --explain KEY``), cached per store, latest sync and
viewer scope like every read in :mod:`.data`.

Scope: the diff is asked with the viewer's scope as its account scope (figures through the
catalog runner, record changes at or below the narrowed scope).  Evidence lists only the
facts whose other end has a footprint in the viewer's subtree (:mod:`.reads`), like the
explorer's network.
"""

from __future__ import annotations

import json
from typing import Any

import streamlit as st

from ..graph import scope as scoping
from ..graph.snapshots import Snapshot, list_snapshots
from ..graph.vocabulary import LABEL_ORGANISATION, LABEL_PERSON, LABEL_UNIT
from ..queries.diff import Diff, diff
from ..queries.explain import Explanation, explain
from ..queries.facts import Fact
from . import data, reads

__all__ = ["changes", "evidence", "snapshots"]


def _scope(key: data.Key) -> str | None:
    return None if key[4] == "*" else key[4]


def _session_snapshot(key: data.Key) -> Snapshot | None:
    """The snapshot the session reads, when the key names one (the sidebar's picker puts
    its ordinal after the scope); else None, the latest."""
    ordinal = key[5] if len(key) > 5 else None  # type: ignore[misc]
    if not ordinal:
        return None
    return next((s for s in snapshots(key) if s.ordinal == ordinal), None)


@st.cache_data(show_spinner=False, ttl=data.TTL_S, max_entries=20)
def snapshots(key: data.Key) -> list[Snapshot]:
    """Published snapshots, oldest first."""
    return list_snapshots(data.store().read)


@st.cache_data(show_spinner=False, ttl=data.TTL_S, max_entries=100)
def changes(key: data.Key, first: int, second: int, level: str, scope: str | None) -> Diff:
    """The diff between two published snapshots (by ordinal) within the viewer's scope."""
    by_ordinal = {s.ordinal: s for s in snapshots(key)}
    return diff(data.store(), by_ordinal[first], by_ordinal[second], level=level,
                scope=scope, account_scope=_scope(key))


def evidence(key: data.Key, name: str, row_key: str,
             params: dict[str, Any]) -> Explanation:
    """One answer row's evidence (logged like a query), facts outside the scope left out."""
    found = _evidence(key, name, row_key, json.dumps(params, sort_keys=True, default=str))
    data.log("query", question=name, params={"explain": row_key}, rows=len(found.facts))
    return found


@st.cache_data(show_spinner=False, ttl=data.TTL_S, max_entries=200)
def _evidence(key: data.Key, name: str, row_key: str, params_json: str) -> Explanation:
    store, scope = data.store(), _scope(key)
    params = {k: v for k, v in json.loads(params_json).items() if v is not None}
    found = explain(store, name, row_key, params, account_scope=scope,
                    snapshot=_session_snapshot(key))
    if scope is not None:
        found.facts = _inside(store, scope, found.facts)
        units = scoping.inside_units(store, scope, [a["code"] for a in found.subject.ancestry])
        found.subject.ancestry = [a for a in found.subject.ancestry if a["code"] in units]
        orgs = reads.inside_orgs(store, scope,
                                 [a["code"] for a in found.subject.affiliation_chain])
        found.subject.affiliation_chain = [a for a in found.subject.affiliation_chain
                                           if a["code"] in orgs]
    return found


def _inside(store: Any, scope: str, facts: list[Fact]) -> list[Fact]:
    def codes(label: str) -> list[str]:
        return sorted({f.other_code for f in facts if f.other_label == label and f.other_code})
    seen = (reads.inside_orgs(store, scope, codes(LABEL_ORGANISATION))
            | reads.inside_people(store, scope, codes(LABEL_PERSON))
            | scoping.inside_units(store, scope, codes(LABEL_UNIT)))
    return [f for f in facts if f.other_code in seen]
