"""What a sync computes after it publishes, so that no reader pays a first computation.

Right after a sync the dashboard's caches are cold: the overview's figures, the network
questions (``brokers`` 10.6 s, ``overloaded`` 5.7 s, ``named_vs_ranked`` 2.2 s at province)
and, on Neo4j, the plan of every text a page runs (``coverage_rollup`` alone took 17.7 s to
plan) would all be paid by the first person to open a page.  :func:`warm` computes them
once, after the publish and outside the writers' lock (readers are never held: they read
the published snapshot meanwhile), for the commands that publish: detached, after the
command returned (dashboard/warm_background.py, ``redgov warm``), or in-process
(:func:`after_sync`):

- the overview's kept answers (``data.KEPT_QUESTIONS``) exactly as the overview asks them
  (:func:`overview_asks`, :func:`params_json`: the same entry keys, so the dashboard reads
  them back), and the network questions' kept answers with their default parameters;
- ``redgov status``'s counts of nodes and relations (graph/introspection.py
  ``counts_at``: a scan of the whole graph, 9.8 s at province, that the first status after
  a sync paid before);
- every other catalog question's unscoped answer with its default parameters, kept
  compressed per snapshot (queries/kept_answers.py): ``redgov audit NAME`` and the audit
  page then read back what costs 1–10 s to compute at province, and a unit page's
  ``duplicate_people`` and two other data-quality questions are narrowed from it
  (queries/scoped_answers.py);
- on Neo4j, a unit page's reads and finding questions once, scoped to the first district:
  their answers are not kept (one unit's), but the server then holds their plans.

Everything is kept per snapshot (graph/summaries.py), so a new snapshot is never served an
older answer.  When it runs: :func:`wanted` (``REDGOV_WARM`` on/off, else graphs of at least
:data:`MIN_COMPOUNDS` compounds, where a first computation costs seconds).  No Streamlit here:
the sync process imports this module.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from typing import Any

from ..graph.snapshots import Snapshot, list_snapshots
from ..graph.stores.base import Store
from ..graph.summaries import kept
from . import figures

__all__ = ["ANALYTICS_WARMED", "KEPT_QUESTIONS", "MIN_COMPOUNDS", "after_sync", "overview_asks",
           "params_json", "wanted", "warm"]

#: Questions whose answers the dashboard also keeps in the store per snapshot
#: (graph/summaries.py): the overview's (figures, chart, trend).  See ``data.question``.
KEPT_QUESTIONS = frozenset({"coverage_rollup", "compounds_without_branch",
                            "company_party_org_status", "overdue_reelection"})
#: The network questions computed after a sync (unscoped, default parameters).
#: ``interlocks``' unscoped answer (60 k rows at province) is kept compressed
#: (queries/kept_answers.py).  The first of them reads the snapshot's post network from
#: the graph and keeps it (queries/analytics.py ``read_network``): the others, and a later
#: ``--as-of`` ask, decode that instead of reading the graph again.
ANALYTICS_WARMED = ("brokers", "overloaded", "named_vs_ranked", "interlocks")
#: ``REDGOV_WARM`` unset: warm after syncs of graphs with at least this many compounds.
MIN_COMPOUNDS = 5000
#: The overview's chart levels (``overview.CHART_LEVELS``): each is asked of coverage_rollup.
CHART_LEVELS = ("district", "street")


def params_json(name: str, params: dict[str, Any], snapshot_date: str | None) -> str:
    """The parameters as the dashboard's cache and kept entries see them: None left to the
    runner's default, except ``as_of``, which defaults to the snapshot's date.

    >>> params_json("coverage_rollup", {"level": "district", "as_of": None}, "2024-06-30")
    '{"as_of": "2024-06-30", "level": "district"}'
    """
    from ..queries import get_question

    clean = {k: v for k, v in params.items() if v is not None}
    if "as_of" not in clean and snapshot_date and any(p.name == "as_of"
                                                      for p in get_question(name).params):
        clean["as_of"] = snapshot_date
    return json.dumps(clean, sort_keys=True, default=str)


def overview_asks(as_of: str | None, level: str = "district") -> list[tuple[str, dict[str, Any]]]:
    """The catalog questions behind the overview's figures, as the overview asks them."""
    return [(name, {"as_of": as_of, **({"level": level} if name == "coverage_rollup" else {})})
            for name in figures.FIGURE_QUESTIONS]


def kept_question(store: Store, snapshot: Snapshot, name: str, params: str,
                  account_scope: str | None) -> dict[str, Any]:
    """One catalog answer at ``snapshot`` as the dashboard keeps it: the entry
    ``data.question`` reads (the overview's questions unscoped; the others are computed)."""
    from ..queries import run_question
    from .snapshot import PinnedStore

    def compute() -> dict[str, Any]:
        result = run_question(PinnedStore(store, snapshot.ordinal), name,
                              json.loads(params) or None,
                              account_scope=account_scope, snapshot=snapshot)
        return {"query": result.question, "params": result.params, "columns": result.columns,
                "rows": result.rows, "count": result.count}

    if name not in KEPT_QUESTIONS or json.loads(params).get("scope"):
        # A unit page's scoped answer is cheap and one of thousands: writing it into the
        # store (and pruning the entries) cost more than computing it again.
        return compute()
    # Keyed by the viewer's scope too: an answer is kept per scope, never shared across.
    return kept(store, f"question.{name}", snapshot, compute,
                {"params": params, "account_scope": account_scope or "*"})


def wanted(compounds: int | None) -> bool:
    """Whether a sync warms: ``REDGOV_WARM=on``/``off`` decides, else the graph's size."""
    setting = (os.environ.get("REDGOV_WARM") or "").strip().lower()
    if setting in ("on", "1", "true", "yes"):
        return True
    if setting in ("off", "0", "false", "no"):
        return False
    return (compounds or 0) >= MIN_COMPOUNDS


def after_sync(store: Store, report: Any) -> None:
    """Warm after a sync that published (``report`` a ``SyncReport``) when :func:`wanted`;
    the seconds go into ``report.split`` (``warm_s``, ``warm_<part>_s``).

    The in-process form: the commands that publish (``redgov sync``, ``redgov pull``, an
    approved review) now call ``warm_background.after_publish``, which runs this only with
    ``REDGOV_WARM_WAIT`` or for a store the CLI did not open, and otherwise starts the warm
    step detached.  Either way after ``sync_export`` returned: outside the writers' lock
    and outside the sync's own duration and CPU, which the write-rate figures measure."""
    if getattr(report, "status", None) != "applied":
        return
    if not wanted((getattr(report, "facts", None) or {}).get("compounds")):
        return
    t0 = time.perf_counter()
    try:
        report.split.update({f"warm_{k}_s": v for k, v in warm(store).items()})
    except Exception:  # the snapshot is published: a failed warm leaves the work to readers
        report.split["warm_failed"] = 1.0
    report.split["warm_s"] = round(time.perf_counter() - t0, 3)


def warm(store: Store, snapshot: Snapshot | None = None,
         stop: Callable[[], bool] | None = None) -> dict[str, float]:
    """Compute what a first load after ``snapshot`` (default: the latest) would wait for;
    returns the seconds of each part.  Never raises: a failure leaves the work to readers.

    ``stop`` is asked before each part: true (a newer snapshot was published, see
    dashboard/warm_background.py), the rest is left undone and ``stopped`` is 1.0."""
    from .snapshot import PinnedStore

    found = list_snapshots(store.read)
    snap = snapshot or (found[-1] if found else None)
    if snap is None:
        return {}
    pinned = PinnedStore(store, snap.ordinal)
    seconds: dict[str, float] = {}

    def part(label: str, fn: Any) -> None:
        if seconds.get("stopped") or (stop is not None and stop()):
            seconds["stopped"] = 1.0
            return
        t0 = time.perf_counter()
        try:
            fn()
        except Exception:  # warming is best effort: a reader computes what failed here
            seconds[f"{label}_failed"] = 1.0
        seconds[label] = round(time.perf_counter() - t0, 3)

    def overview() -> None:
        asks = overview_asks(snap.date) + [("coverage_rollup", {"as_of": snap.date,
                                                                 "level": level})
                                            for level in CHART_LEVELS if level != "district"]
        for name, params in asks:
            kept_question(store, snap, name, params_json(name, params, snap.date), None)

    def analytics() -> None:
        from ..queries import run_question

        for name in ANALYTICS_WARMED:
            run_question(pinned, name, {"as_of": snap.date}, snapshot=snap)

    def answers() -> None:
        from ..queries import catalog, run_question

        for q in catalog():
            if q.kind == "cypher":
                run_question(pinned, q.name, {"as_of": snap.date}, snapshot=snap, keep=True)

    def counts() -> None:
        from ..graph.introspection import counts_at

        counts_at(store, snap)  # what `redgov status` shows: a scan of the whole graph

    part("overview", overview)
    part("status", counts)
    part("analytics", analytics)
    part("answers", answers)
    if store.engine == "neo4j":  # FalkorDB plans in milliseconds: nothing to gain there
        part("unit_page", lambda: _unit_page(pinned, snap))
    return seconds


def _unit_page(store: Store, snap: Snapshot) -> None:
    """A district's page once (its reads and finding questions): the engine plans them now."""
    from ..queries import catalog, run_question
    from . import reads

    districts = [u for u in reads.units_at_levels(store, ["district"]) if u.get("code")]
    if not districts:
        return
    code = districts[0]["code"]
    as_of = snap.date or ""
    reads.units_around(store, code)
    orgs = reads.unit_orgs(store, code, as_of)
    reads.contracts(store, code, as_of=as_of)
    reads.network_rows(store, code, [o["code"] for o in orgs][:400], as_of)
    for q in catalog():
        if q.finding.declared and q.kind == "cypher":
            run_question(store, q.name, {"scope": code, "as_of": snap.date}, snapshot=snap)
    for level in ("street", "community"):  # the page's sub-units: one roll-up text a level
        run_question(store, "coverage_rollup", {"scope": code, "as_of": snap.date,
                                                "level": level}, snapshot=snap)
