"""The dashboard's one data module: the store, the catalog and every cached read.

The store is opened once per process and store choice (``st.cache_resource``); results
are cached with ``st.cache_data`` keyed by the store choice, the id of the latest
published sync run and the snapshot the session reads, so a page is fast after its first
load and a new sync shows at once (the key changes, the old entries are never asked for
again).  Pages call only the functions here; this module calls only ``reads`` (the
dashboard's own Cypher) and the audit catalog's ``run_question`` — never a query of its
own making.

Snapshots.  The session reads one published snapshot (chosen in the sidebar, default the
latest; :data:`SNAPSHOT_KEY`): the key carries its ordinal and date, every read goes
through the store pinned to it (:class:`snapshot.PinnedStore`), and a catalog question
asked without ``as_of`` is asked as of that snapshot's date.

Access.  The session's :class:`Viewer` (set by ``auth.gate`` before any page runs) carries
the account's scope, and the cache key carries it too: every read below passes it to the
query that runs (``reads`` texts take ``$scope``; the catalog runner intersects it with the
page's own scope), and answers are cached per scope, never shared across scopes.  With
accounts defined, each action is written to the access log (``redgov.access.log``).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import streamlit as st

from ..graph.home import data_dir, read_jsonl
from ..graph.introspection import sync_runs as _graph_sync_runs
from ..graph.snapshots import NO_SNAPSHOT, Snapshot, list_snapshots
from ..graph.stores import Store, open_store
from ..graph.vocabulary import ACCOUNT_ROLES
from . import reads, warm
from .snapshot import SNAPSHOT_KEY, PinnedStore, chosen

__all__ = [
    "SINGLE_USER",
    "SNAPSHOT_KEY",
    "VIEWER_KEY",
    "Key",
    "Viewer",
    "as_of",
    "ask",
    "ask_many",
    "catalog",
    "current_key",
    "key_at",
    "prefetch",
    "question",
    "snapshot_of",
    "snapshots",
    "store",
    "sync_log",
    "sync_runs",
    "units",
    "units_around",
    "units_at",
    "viewer",
]

#: (store spec, REDGOV_HOME, REDGOV_GRAPH, latest published sync run id, the viewer's
#: scope or "*", then the snapshot read: its ordinal, its date or "", its run id or ""):
#: the cache key of every read.
Key = tuple[str, str, str, str, str, int, str, str]
TTL_S = 3600
PARALLEL = 3  # catalog questions asked at once
SHOW_AFTER_S = 1.0  # answers not in by then: the page says what it is computing
VIEWER_KEY = "_viewer"
LOG_SESSION_KEY = "_log_session"  # the session's access-log budget (see budget_key)
LOG_AGAIN_S = 600  # the same action by the same session is logged once in this window
_NOBODY = ""  # a scope no unit has: what a page sees if the gate did not run


@dataclass(frozen=True)
class Viewer:
    """Who is looking: an account (name, role, scope), or the single local user."""

    name: str | None
    role: str
    scope: str | None  # a unit code; None = the whole graph

    def at_least(self, role: str) -> bool:
        return ACCOUNT_ROLES.index(self.role) >= ACCOUNT_ROLES.index(role)


#: No account defined: one person on 127.0.0.1 sees everything (the first-run experience).
SINGLE_USER = Viewer(None, "admin", None)


def viewer() -> Viewer:
    """The session's viewer; fails closed (sees nothing) if the login gate did not run."""
    found = st.session_state.get(VIEWER_KEY)
    return found if isinstance(found, Viewer) else Viewer(None, "viewer", _NOBODY)


def _scope(key: Key) -> str | None:
    return None if key[4] == "*" else key[4]


def _at(key: Key) -> PinnedStore:
    """The store, every read pinned to the key's snapshot."""
    return PinnedStore(store(), key[5])


def key_at(key: Key, snapshot: Snapshot) -> Key:
    """The same key for another snapshot (the overview's trend and change)."""
    return (*key[:5], snapshot.ordinal, snapshot.date or "", snapshot.run_id)


def snapshot_of(key: Key) -> Snapshot | None:
    """The snapshot a key reads (None: nothing is published yet)."""
    return Snapshot(key[5], key[6] or None, key[7]) if key[5] != NO_SNAPSHOT else None


def log(event: str, *, once: bool = True, **fields: Any) -> None:
    """Write an access-log entry for the session's account (none in single-user mode).

    Page runs repeat their reads on every interaction; an identical entry is written
    again only after :data:`LOG_AGAIN_S`.
    """
    who = viewer()
    if who.name is None:
        return
    from ..access.log import record

    page = st.session_state.get("_page")
    entry = {"page": page, "scope": who.scope, **fields}
    # Only a digest is kept in the session: the entry itself may name what was not found.
    signature = hashlib.sha256(json.dumps([event, entry], sort_keys=True, default=str)
                               .encode()).hexdigest()
    seen: dict[str, float] = st.session_state.setdefault("_logged", {})
    now = time.monotonic()
    if once and now - seen.get(signature, -LOG_AGAIN_S - 1) <= LOG_AGAIN_S:
        return
    seen[signature] = now
    record(event, who.name, session=budget_key(), client=client(), **entry)


def client() -> str | None:
    """The client's address, masked (``127.0.0.*``), for every access-log entry.

    ``st.context.ip_address`` is None on loopback by design; then the session's TCP peer
    (Streamlit's own ``client_context.remote_ip``, never a forwarded header) is read.
    None outside a browser session (AppTest).
    """
    from ..access.log import mask_ip

    try:
        address = st.context.ip_address
        if address is None:
            from streamlit.runtime.context import _get_client_context

            found = _get_client_context()
            address = getattr(found, "remote_ip", None) if found is not None else None
    except Exception:  # no request context
        return None
    return mask_ip(address)


def budget_key() -> str:
    """The browser session whose access-log budget an entry counts against
    (``redgov.access.log``): a random id kept in the session state (sign-out keeps it)."""
    found = st.session_state.get(LOG_SESSION_KEY)
    if not isinstance(found, str):
        found = st.session_state[LOG_SESSION_KEY] = secrets.token_hex(8)
    return f"session:{found}"


def _spec() -> tuple[str, str, str]:
    return (os.environ.get("REDGOV_STORE") or "embedded", os.environ.get("REDGOV_HOME") or "",
            os.environ.get("REDGOV_GRAPH") or "redgov")


@st.cache_resource(show_spinner=False)
def _open(spec: tuple[str, str, str]) -> Store:
    # held for the process's life: after a crash of the embedded server, a read starts it
    return open_store(spec[0], restart_crashed=True)


def store() -> Store:
    return _open(_spec())


def snapshots() -> list[Snapshot]:
    """The published snapshots, oldest first (one small uncached read)."""
    return list_snapshots(store().read)


def current_key(found: list[Snapshot] | None = None) -> tuple[Key, Snapshot | None]:
    """The cache key and the snapshot the session reads (None: nothing published yet).

    The session's choice (:data:`SNAPSHOT_KEY`) names a published snapshot, else the
    latest is read (the sidebar says so when the choice was not found).
    """
    found = snapshots() if found is None else found
    snap, _ = chosen(found, st.session_state.get(SNAPSHOT_KEY))
    scope = viewer().scope
    head = (*_spec(), found[-1].run_id if found else "none", "*" if scope is None else scope)
    if snap is None:
        return (*head, NO_SNAPSHOT, "", ""), None
    return (*head, snap.ordinal, snap.date or "", snap.run_id), snap


def as_of(snapshot: Snapshot | None) -> str:
    """The date the dashboard describes: the chosen snapshot's date, else today."""
    if snapshot is not None and snapshot.date:
        return str(snapshot.date)
    return date.today().isoformat()


@st.cache_resource(show_spinner=False)
def catalog() -> list[Any]:
    """The audit questions (static for the life of the process)."""
    from ..queries import catalog as _catalog

    return list(_catalog())


#: Questions whose answers are also kept in the store per snapshot (graph/summaries.py):
#: the overview's (figures, chart, trend).  The page cache above is per process and is
#: emptied by every sync; these survive it, a restart and another host, so the overview
#: computes each snapshot's figures once (the previous snapshot's, for the changes shown
#: under the cards, are already kept by then).  A large graph's sync computes them right
#: after it publishes (:mod:`..warm`), so no reader pays that.
KEPT_QUESTIONS = warm.KEPT_QUESTIONS


@st.cache_data(show_spinner=False, ttl=TTL_S, max_entries=2000)
def question(key: Key, name: str, params_json: str = "{}") -> dict[str, Any]:
    """A catalog answer as a plain dict (``run_question`` → ``QueryResult.to_dict()``);
    the overview's kept per snapshot and scope (:func:`warm.kept_question`)."""
    snap = snapshot_of(key)
    if snap is None:  # nothing published: nothing to keep, nothing pinned
        from ..queries import run_question

        result = run_question(_at(key), name, json.loads(params_json) or None,
                              account_scope=_scope(key), snapshot=None)
        return {"query": result.question, "params": result.params, "columns": result.columns,
                "rows": result.rows, "count": result.count}
    return warm.kept_question(store(), snap, name, params_json, _scope(key))


#: The least role that may download an answer (CSV/XLSX through redgov.output).
DOWNLOAD_ROLE = "auditor"


def may_download(who: Viewer | None = None) -> bool:
    """Downloads are an auditor's right (the single local user is an admin)."""
    return (who or viewer()).at_least(DOWNLOAD_ROLE)


def downloaded(name: str, fmt: str, answer: dict[str, Any]) -> None:
    """A download button's callback: every download is logged, never deduplicated."""
    log("download", once=False, question=name, format=fmt, params=answer["params"],
        applied_scope=answer["params"].get("scope"), rows=answer["count"])


def _asked(name: str, params_json: str, answer: dict[str, Any]) -> None:
    log("query", question=name, params=json.loads(params_json),
        applied_scope=answer["params"].get("scope"), rows=answer["count"])


def _ask_one(key: Key, name: str, params_json: str) -> dict[str, Any]:
    from ..queries import ParamError

    try:
        answer = question(key, name, params_json)
    except ParamError:
        log("not_found", question=name, params=json.loads(params_json))
        raise
    _asked(name, params_json, answer)
    return answer


def _params_json(key: Key, name: str, params: dict[str, Any]) -> str:
    """The parameters as the cache sees them (:func:`warm.params_json`: ``as_of`` defaults
    to the date of the key's snapshot, not of the latest)."""
    return warm.params_json(name, params, key[6] or None)


def ask(key: Key, name: str, **params: Any) -> dict[str, Any]:
    """``question`` with keyword parameters, as of the key's snapshot unless ``as_of``."""
    return _ask_one(key, name, _params_json(key, name, params))


def ask_many(key: Key, asks: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """Several catalog answers at once, a few at a time (the engine reads on several
    threads); each lands in the same cache as :func:`ask`.

    A first load after a sync can take seconds a question on a large graph: when the
    answers are not all in after :data:`SHOW_AFTER_S`, the page says what it is computing
    (the questions still running, how many of how many are done) until they are, so the
    page is never blank meanwhile; cached answers come back at once and show nothing.
    """
    jobs = [(name, _params_json(key, name, params)) for name, params in asks]
    futures = [_submit(key, *job) for job in jobs]
    _show_until_done(futures, [name for name, _ in jobs])
    answers = [f.result() for f in futures]
    for (name, params_json), answer in zip(jobs, answers, strict=True):
        _asked(name, params_json, answer)
    return answers


_POOL: list[Any] = []  # the process's question pool, made on first use
_INFLIGHT: dict[tuple[Key, str, str], Any] = {}  # answers being computed → their future
_INFLIGHT_LOCK = threading.Lock()


def _submit(key: Key, name: str, params_json: str) -> Any:
    """The future of one answer on the process's pool of :data:`PARALLEL` threads: the one
    already running when a page (or its prefetch) asked for it before, else a new one.
    One pool for every session keeps the engine to a few questions at a time."""
    from concurrent.futures import ThreadPoolExecutor

    job = (key, name, params_json)
    with _INFLIGHT_LOCK:
        found = _INFLIGHT.get(job)
        if found is not None:
            return found
        if not _POOL:
            _POOL.append(ThreadPoolExecutor(max_workers=PARALLEL,
                                            thread_name_prefix="redgov-question"))
        future = _INFLIGHT[job] = _POOL[0].submit(question, *job)

    def done(_: Any) -> None:  # from now on the cache (or a new computation) answers
        with _INFLIGHT_LOCK:
            if _INFLIGHT.get(job) is future:
                del _INFLIGHT[job]

    future.add_done_callback(done)
    return future


def prefetch(key: Key, asks: list[tuple[str, dict[str, Any]]]) -> None:
    """Start computing answers a page will ask for later (:func:`ask_many`), without
    waiting: the page draws its other parts meanwhile, and the later ask takes the same
    computations over (an error is raised by that ask)."""
    for name, params in asks:
        _submit(key, name, _params_json(key, name, params))


def _show_until_done(futures: list[Any], names: list[str]) -> None:
    """Wait for ``futures``; past :data:`SHOW_AFTER_S`, a progress bar saying which
    questions are still being computed and how many of how many are done."""
    from concurrent.futures import FIRST_COMPLETED, wait

    from ..queries import get_question
    from .i18n import t

    done, pending = wait(futures, timeout=SHOW_AFTER_S)
    if not pending:
        return
    lang = st.session_state.get("lang", "zh")
    box = st.empty()
    while pending:
        running = [get_question(n).title(lang) for f, n in zip(futures, names, strict=True)
                   if f in pending]
        text = t("data.computing", lang, done=len(done), total=len(futures),
                 names=("、" if lang != "en" else ", ").join(running))
        box.progress(len(done) / len(futures), text=text)
        done, pending = wait(futures, timeout=0.5, return_when=FIRST_COMPLETED)
        done = {f for f in futures if f.done()}
    box.empty()


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
    return lookup_names(_at(key), q, [row])


@st.cache_data(show_spinner=False, ttl=TTL_S, max_entries=50)
def units(key: Key) -> list[dict[str, Any]]:
    """The units the viewer may see: their scope's subtree."""
    return reads.units(_at(key), _scope(key))


@st.cache_data(show_spinner=False, ttl=TTL_S, max_entries=50)
def units_at(key: Key, levels: tuple[str, ...]) -> list[dict[str, Any]]:
    """What :func:`units` gives for the units at ``levels`` only (the overview's chart
    names districts and streets: a province has 57,654 units, ~1,500 of them at those)."""
    return reads.units_at_levels(_at(key), list(levels), _scope(key))


@st.cache_data(show_spinner=False, ttl=TTL_S, max_entries=500)
def units_around(key: Key, code: str) -> list[dict[str, Any]]:
    """What a unit's page needs of :func:`units`: the unit, its subtree and the units above
    it, as the viewer may see them (the same rows; a province has 57,654 units)."""
    return reads.units_around(_at(key), code, _scope(key))


def unit_visible(key: Key, code: str | None) -> bool:
    """Whether the viewer may see the unit: it is among the rows of its own page's read
    (:func:`units_around`, which the page then reuses), not searched for in every unit."""
    return bool(code) and any(u["code"] == code for u in units_around(key, str(code)))


def unit_orgs(key: Key, code: str, as_of_: str) -> list[dict[str, Any]]:
    log("view", unit=code)
    return _unit_orgs(key, code, as_of_)


@st.cache_data(show_spinner=False, ttl=TTL_S, max_entries=500)
def _unit_orgs(key: Key, code: str, as_of_: str) -> list[dict[str, Any]]:
    return reads.unit_orgs(_at(key), code, as_of_, _scope(key))


@st.cache_data(show_spinner=False, ttl=TTL_S, max_entries=500)
def network_rows(key: Key, code: str, orgs: tuple[str, ...], as_of_: str) -> dict[str, list]:
    return reads.network_rows(_at(key), code, list(orgs), as_of_, _scope(key))


@st.cache_data(show_spinner=False, ttl=TTL_S, max_entries=500)
def contracts(key: Key, code: str, as_of_: str | None = None) -> list[dict[str, Any]]:
    return reads.contracts(_at(key), code, scope=_scope(key), as_of=as_of_)


def search_people(key: Key, q: str, page: int = 0, per_page: int = 50) -> list[dict[str, Any]]:
    from ..access.log import mask_text

    found = _search_people(key, q, page, per_page)
    log("query", question="search_people", params={"q": mask_text(q), "page": page},
        rows=len(found))
    return found


@st.cache_data(show_spinner=False, ttl=TTL_S, max_entries=500)
def count_people(key: Key, q: str) -> int:
    return reads.count_people(_at(key), q, scope=_scope(key))


@st.cache_data(show_spinner=False, ttl=TTL_S, max_entries=500)
def _search_people(key: Key, q: str, page: int, per_page: int) -> list[dict[str, Any]]:
    return reads.search_people(_at(key), q, per_page, page * per_page, scope=_scope(key))


def person(key: Key, code: str) -> dict[str, Any] | None:
    found = _person(key, code)
    log("view" if found else "not_found", person=code)
    return found


@st.cache_data(show_spinner=False, ttl=TTL_S, max_entries=500)
def _person(key: Key, code: str) -> dict[str, Any] | None:
    return reads.person(_at(key), code, _scope(key))


@st.cache_data(show_spinner=False, ttl=TTL_S, max_entries=500)
def person_posts(key: Key, code: str, as_of_: str | None = None) -> list[dict[str, Any]]:
    return reads.person_posts(_at(key), code, _scope(key), as_of_)


#: What a non-admin may know of a sync run: when, and the date it describes.
_RUN_FIELDS = ("id", "snapshot_date", "started_at", "ordinal", "published", "kind",
               "phases_json")


def sync_runs(key: Key, limit: int = 200) -> list[dict[str, Any]]:
    """SyncRun nodes, newest first; only their dates unless the viewer is an admin (a
    run's sources, counts and warnings describe the whole graph)."""
    runs = _sync_runs(key, limit)
    if viewer().at_least("admin"):
        return runs
    return [{k: r.get(k) for k in _RUN_FIELDS} for r in runs]


@st.cache_data(show_spinner=False, ttl=TTL_S, max_entries=50)
def _sync_runs(key: Key, limit: int = 200) -> list[dict[str, Any]]:
    return _graph_sync_runs(store(), limit)


def sync_log_path() -> Path:
    return data_dir() / "sync-runs.jsonl"


def sync_log() -> list[dict[str, Any]]:
    """Every sync attempt from ``sync-runs.jsonl``, newest first (unreadable lines skipped);
    admins only."""
    if not viewer().at_least("admin"):
        return []
    path = sync_log_path()
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        return []
    return _sync_log(str(path), mtime)


@st.cache_data(show_spinner=False, max_entries=10)
def _sync_log(path: str, mtime: int) -> list[dict[str, Any]]:
    return list(read_jsonl(Path(path)))[::-1]


# --- 示范创建: phase targets (R21) ----------------------------------------------------------
@st.cache_data(show_spinner=False, ttl=TTL_S, max_entries=50)
def _targets_progress(key: Key) -> dict[str, Any]:
    from ..target_progress import progress
    from ..targets import load_targets

    goals, source = load_targets()
    found, chosen = progress(store(), goals, snapshot=snapshot_of(key),
                             account_scope=_scope(key))
    return {"file": str(source), "snapshot": chosen.date if chosen else None,
            "targets": [p.to_json() for p in found]}


def targets_progress(key: Key) -> dict[str, Any]:
    """Progress against the phase targets at the key's snapshot, within the viewer's scope
    (the city's targets file, else the defaults); logged like a catalog question."""
    answer = _targets_progress(key)
    log("query", question="targets", applied_scope=_scope(key),
        rows=len(answer["targets"]))
    return answer


# --- 示范创建: the year's evaluation (R16–R19) -------------------------------------------------
@st.cache_data(show_spinner=False, ttl=TTL_S, max_entries=50)
def _evaluation(key: Key, category: str, year: int) -> Any:
    from ..queries.evaluation import evaluate

    return evaluate(store(), category, year, snapshot=snapshot_of(key),
                    account_scope=_scope(key))


def evaluation(key: Key, category: str, year: int) -> Any:
    """One category's evaluation of ``year`` at the key's snapshot within the viewer's scope
    (:func:`redgov.queries.evaluation.evaluate`); logged like a catalog question."""
    result = _evaluation(key, category, year)
    log("query", question="evaluate", category=category, year=year,
        applied_scope=result.scope, rows=len(result.rows))
    return result


@st.cache_data(show_spinner=False, ttl=TTL_S, max_entries=50)
def scored_year(key: Key, year: int) -> int:
    """The latest year up to ``year`` whose 示范创建 was scored (else ``year`` itself)."""
    return reads.scored_year(_at(key), year) or year


# --- a workbook's cover -----------------------------------------------------------------------
@st.cache_data(show_spinner=False, ttl=TTL_S, max_entries=50)
def _cover_context(key: Key, as_of_: str | None, scope: str | None) -> Any:
    from ..report import report_context

    return report_context(store(), snapshot_of(key), as_of_, scope or _scope(key))


def cover_context(key: Key, as_of_: str | None = None, scope: str | None = None) -> Any:
    """What a downloaded workbook's cover says, built as the CLI builds it
    (:func:`redgov.report.report_context`): the key's snapshot (date, ordinal, run id), the
    store and engine version, the last sync, the scope by name (the question's, else the
    viewer's); generated now."""
    from dataclasses import replace
    from datetime import datetime

    from ..graph.display import BEIJING

    return replace(_cover_context(key, as_of_ or as_of(snapshot_of(key)), scope),
                   generated_at=datetime.now(BEIJING))
