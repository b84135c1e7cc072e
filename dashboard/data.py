"""The dashboard's one data module: the store, the catalog and every cached read.

The store is opened once per process and store choice (``st.cache_resource``); results
are cached with ``st.cache_data`` keyed by the store choice and the id of the latest
sync run, so a page is fast after its first load and a new sync shows at once (the
key changes, the old entries are never asked for again).  Pages call only the
functions here; this module calls only ``reads`` (the dashboard's own Cypher) and the
audit catalog's ``run_question`` — never a query of its own making.
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path
from typing import Any

import streamlit as st

from ..graph.home import data_dir
from ..graph.introspection import sync_runs as _graph_sync_runs
from ..graph.stores import Store, open_store
from . import reads

__all__ = [
    "Key",
    "as_of",
    "ask",
    "ask_many",
    "catalog",
    "current_key",
    "question",
    "store",
    "sync_log",
    "sync_runs",
    "units",
]

#: (store spec, REDGOV_HOME, REDGOV_GRAPH, latest sync run id): the cache key of every read.
Key = tuple[str, str, str, str]
TTL_S = 3600
PARALLEL = 3  # catalog questions asked at once


def _spec() -> tuple[str, str, str]:
    return (os.environ.get("REDGOV_STORE") or "embedded", os.environ.get("REDGOV_HOME") or "",
            os.environ.get("REDGOV_GRAPH") or "redgov")


@st.cache_resource(show_spinner=False)
def _open(spec: tuple[str, str, str]) -> Store:
    return open_store(spec[0])


def store() -> Store:
    return _open(_spec())


def current_key() -> tuple[Key, dict[str, Any] | None]:
    """The cache key and the latest sync run (one small uncached read per page run)."""
    runs = _graph_sync_runs(store(), 1)
    latest = runs[0] if runs else None
    return (*_spec(), str(latest["id"]) if latest else "none"), latest


def as_of(latest: dict[str, Any] | None) -> str:
    """The date the dashboard describes: the latest snapshot, else today."""
    if latest and latest.get("snapshot_date"):
        return str(latest["snapshot_date"])
    return date.today().isoformat()


@st.cache_resource(show_spinner=False)
def catalog() -> list[Any]:
    """The audit questions (static for the life of the process)."""
    from ..queries import catalog as _catalog

    return list(_catalog())


@st.cache_data(show_spinner=False, ttl=TTL_S, max_entries=2000)
def question(key: Key, name: str, params_json: str = "{}") -> dict[str, Any]:
    """A catalog answer as a plain dict (``run_question`` → ``QueryResult.to_dict()``)."""
    from ..queries import run_question

    result = run_question(store(), name, json.loads(params_json) or None)
    return {"query": result.question, "params": result.params, "columns": result.columns,
            "rows": result.rows, "count": result.count}


def ask(key: Key, name: str, **params: Any) -> dict[str, Any]:
    """``question`` with keyword parameters (None values are left to the runner's default)."""
    clean = {k: v for k, v in params.items() if v is not None}
    return question(key, name, json.dumps(clean, sort_keys=True, default=str))


def ask_many(key: Key, asks: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """Several catalog answers at once, a few at a time (the engine reads on several
    threads); each lands in the same cache as :func:`ask`."""
    from concurrent.futures import ThreadPoolExecutor

    jobs = [(name, json.dumps({k: v for k, v in params.items() if v is not None},
                              sort_keys=True, default=str)) for name, params in asks]
    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        return list(pool.map(lambda job: question(key, *job), jobs))


def code_names(key: Key, name: str, rows: list[dict[str, Any]]) -> dict[str, str]:
    """Names of the codes in an answer's list columns, so a list reads as names."""
    from ..queries import get_question

    cols = [c.name for c in get_question(name).columns if c.type.startswith("codes:")]
    codes = tuple(sorted({str(x) for r in rows for c in cols for x in (r.get(c) or [])}))
    return _code_names(key, name, codes) if codes else {}


@st.cache_data(show_spinner=False, ttl=TTL_S, max_entries=200)
def _code_names(key: Key, name: str, codes: tuple[str, ...]) -> dict[str, str]:
    from ..queries import get_question
    from ..queries.present import lookup_names

    q = get_question(name)
    row = {c.name: list(codes) for c in q.columns if c.type.startswith("codes:")}
    return lookup_names(store(), q, [row])


@st.cache_data(show_spinner=False, ttl=TTL_S, max_entries=50)
def units(key: Key) -> list[dict[str, Any]]:
    return reads.units(store())


@st.cache_data(show_spinner=False, ttl=TTL_S, max_entries=500)
def unit_orgs(key: Key, code: str, as_of_: str) -> list[dict[str, Any]]:
    return reads.unit_orgs(store(), code, as_of_)


@st.cache_data(show_spinner=False, ttl=TTL_S, max_entries=500)
def network_rows(key: Key, code: str, orgs: tuple[str, ...], as_of_: str) -> dict[str, list]:
    return reads.network_rows(store(), code, list(orgs), as_of_)


@st.cache_data(show_spinner=False, ttl=TTL_S, max_entries=500)
def contracts(key: Key, code: str) -> list[dict[str, Any]]:
    return reads.contracts(store(), code)


@st.cache_data(show_spinner=False, ttl=TTL_S, max_entries=500)
def search_people(key: Key, q: str, page: int = 0, per_page: int = 50) -> list[dict[str, Any]]:
    return reads.search_people(store(), q, per_page, page * per_page)


@st.cache_data(show_spinner=False, ttl=TTL_S, max_entries=500)
def count_people(key: Key, q: str) -> int:
    return reads.count_people(store(), q)


@st.cache_data(show_spinner=False, ttl=TTL_S, max_entries=500)
def person(key: Key, code: str) -> dict[str, Any] | None:
    return reads.person(store(), code)


@st.cache_data(show_spinner=False, ttl=TTL_S, max_entries=500)
def person_posts(key: Key, code: str) -> list[dict[str, Any]]:
    return reads.person_posts(store(), code)


@st.cache_data(show_spinner=False, ttl=TTL_S, max_entries=50)
def sync_runs(key: Key, limit: int = 200) -> list[dict[str, Any]]:
    """SyncRun nodes, newest first."""
    return _graph_sync_runs(store(), limit)


def sync_log_path() -> Path:
    return data_dir() / "sync-runs.jsonl"


def sync_log() -> list[dict[str, Any]]:
    """Every sync attempt from ``sync-runs.jsonl``, newest first (unreadable lines skipped)."""
    path = sync_log_path()
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        return []
    return _sync_log(str(path), mtime)


@st.cache_data(show_spinner=False, max_entries=10)
def _sync_log(path: str, mtime: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if not line:
                continue
            try:
                item = json.loads(line)
            except ValueError:
                continue
            if isinstance(item, dict):
                out.append(item)
    return out[::-1]
