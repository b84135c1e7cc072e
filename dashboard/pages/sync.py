"""同步 Sync: staged syncs awaiting review, the runs applied to the graph (SyncRun nodes)
and every attempt (the log).

Only runs that changed something become SyncRun nodes; ``sync-runs.jsonl`` in the data
directory holds every attempt, rejected and unchanged ones included, so both are shown.
The runs listed are the history of the snapshot chosen in the sidebar: those published up
to it (each published run is one snapshot), the chosen one opened first; how many were
published after it is said above the table.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import streamlit as st

from ...graph.display import REVIEW_STATUS
from ...loaders.progress import timings_of, timings_text
from ...loaders.pull import read_status
from ...loaders.sources import SourceError, load_sources
from ...loaders.staging import list_staged
from .. import data, ui

__all__ = ["change_totals", "issues_frame", "phases_frame", "pull_rows", "render"]

CHANGE_KINDS = ("added", "changed", "retired", "unchanged")


def _json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def change_totals(changes: Any) -> dict[str, int]:
    """Sum per-table change counts: ``{table: {added: n, …}}`` → ``{added: n, …}``.

    >>> change_totals('{"单位": {"added": 2, "changed": 1}, "人员": {"added": 3}}')
    {'added': 5, 'changed': 1, 'retired': 0, 'unchanged': 0}
    """
    totals = dict.fromkeys(CHANGE_KINDS, 0)
    tables = _json(changes)
    if isinstance(tables, dict):
        for counts in tables.values():
            if isinstance(counts, dict):
                for kind in CHANGE_KINDS:
                    totals[kind] += int(counts.get(kind) or 0)
    return totals


def issues_frame(issues: Any, run: Any = None) -> pd.DataFrame:
    """Warnings or errors (loaders.report.Issue as JSON) with Chinese headers and the
    reason in the session's language (never the bilingual ``reason``)."""
    lang = ui.lang()
    items = issues if isinstance(issues, list) else [issues]
    rows = []
    for e in items:
        e = e if isinstance(e, dict) else {"reason_zh": str(e), "reason_en": str(e)}
        row = {} if run is None else {ui.label("col.run"): run}
        row.update({
            ui.label("col.table"): e.get("table"), ui.label("col.row"): e.get("row"),
            ui.label("col.column"): e.get("column"), ui.label("col.value"): e.get("value"),
            ui.label("col.reason"): e.get("reason_en" if lang == "en" else "reason_zh")
            or e.get("reason"),
        })
        rows.append(row)
    return pd.DataFrame(rows)


def _run_row(r: dict[str, Any], *, log: bool) -> dict[str, Any]:
    """One run or attempt as a table row: Chinese values, Beijing time."""
    row: dict[str, Any] = {ui.label("col.run"): r.get("id")}
    if log:
        row[ui.label("col.status")] = ui.value("sync_status", r.get("status"))
    row.update({
        ui.label("col.source"): r.get("source"),
        ui.label("col.snapshot"): r.get("snapshot_date"),
        ui.label("col.kind_run"): ui.value("sync_kind", r.get("kind")),
        ui.label("col.started"): ui.when(r.get("started_at")),
        ui.label("col.duration"): None if r.get("duration_s") is None
        else round(float(r["duration_s"]), 1),
        **{ui.label(f"col.{k}"): v for k, v in change_totals(r.get("changes_json")).items()},
        ui.label("col.warnings"): r.get("warnings"),
        ui.label("col.phases"): timings_text(r.get("phases_json"), ui.lang()),
    })
    if log:
        row[ui.label("col.errors")] = r.get("errors")
        row[ui.label("col.path")] = r.get("path")
    return row


def in_history(runs: list[dict[str, Any]], ordinal: int) -> list[dict[str, Any]]:
    """The runs of a snapshot's history: published at or before ``ordinal`` (a run that
    was never published, a sync killed half-way, is no snapshot's history).

    >>> [r["id"] for r in in_history([{"id": "b", "ordinal": 2, "published": True},
    ...                                {"id": "a", "ordinal": 1, "published": True},
    ...                                {"id": "x", "ordinal": 3}], 1)]
    ['a']
    """
    return [r for r in runs if r.get("published") is True and r.get("ordinal") is not None
            and int(r["ordinal"]) <= ordinal]


def _staged_row(r: dict[str, Any]) -> dict[str, Any]:
    """One staged set (loaders.staging) as a row: review status, base, totals."""
    zh, en = REVIEW_STATUS.get(str(r.get("status")), (r.get("status"), r.get("status")))
    decision = r.get("decision") or {}
    return {
        ui.label("col.staged_id"): r.get("id"),
        ui.label("col.review"): en if ui.lang() == "en" else zh,
        ui.label("col.source"): r.get("source"),
        ui.label("col.snapshot"): r.get("snapshot_date"),
        ui.label("col.kind_run"): ui.value("sync_kind", r.get("kind")),
        ui.label("col.staged_at"): ui.when(r.get("staged_at")),
        ui.label("col.base"): (r.get("base") or {}).get("ordinal"),
        **{ui.label(f"col.{k}"): v for k, v in change_totals(r.get("counts") or {}).items()
           if k != "unchanged"},
        ui.label("col.decision"): decision.get("reason") or decision.get("run_id") or "",
    }


def _staged() -> None:
    """Staged syncs, read-only: approving and rejecting stay on the command line."""
    st.subheader(ui.label("sy.staged"))
    records = list_staged()
    if not records:
        st.caption(ui.label("sy.no_staged"))
        return
    ui.table(pd.DataFrame([_staged_row(r) for r in records]), hide_index=True,
              key="sy.staged")
    st.caption(ui.label("sy.staged_hint"))


def pull_rows(lang: str = "zh") -> tuple[list[dict[str, Any]], list[tuple[str, int, str]]]:
    """Each pull source's status (``redgov pull --status``) and the failure streaks:
    (source, failures in a row, the last line) for every source failing now."""
    try:
        sources = load_sources()
    except SourceError:
        return [], []
    status = read_status().get("sources") or {}
    rows: list[dict[str, Any]] = []
    streaks: list[tuple[str, int, str]] = []
    for s in sources:
        e = status.get(s.name) or {}
        failures = int(e.get("failures_in_row") or 0)
        line = str(e.get("last_line_en" if lang == "en" else "last_line_zh") or "")
        rows.append({
            ui.label("col.pull_source"): s.name,
            ui.label("col.pull_attempt"): ui.when(e.get("last_attempt")),
            ui.label("col.pull_success"): ui.when(e.get("last_success")),
            ui.label("col.pull_next"): ui.when(e.get("next_run")),
            ui.label("col.pull_failures"): failures,
            ui.label("col.pull_result"): line,
        })
        if failures:
            streaks.append((s.name, failures, line))
    return rows, streaks


def _pulls() -> None:
    """Pull status for admins (the page is theirs): a failure streak shows as an error."""
    st.subheader(ui.label("sy.pull"))
    rows, streaks = pull_rows(ui.lang())
    if not rows:
        st.caption(ui.label("sy.no_pull"))
        return
    for source, n, line in streaks:
        st.error(ui.label("sy.pull_streak", source=source, n=n, line=line))
    ui.table(pd.DataFrame(rows), hide_index=True, key="sy.pulls")


def phases_frame(phases: Any) -> pd.DataFrame:
    """A run's phase timings as rows: the phase in words, seconds, its share of the sum."""
    timings = timings_of(phases)
    total = sum(timings.values()) or 1.0
    return pd.DataFrame([{ui.label("col.phase"): ui.value("sync_phase", k),
                          ui.label("col.seconds"): round(v, 2),
                          ui.label("col.share"): f"{v / total:.0%}"}
                         for k, v in timings.items()])


def _phases(run: dict[str, Any]) -> None:
    """Where the chosen run's time went (runs synced before timings were kept: a note)."""
    st.markdown(f"**{ui.label('sy.phases')}**")
    frame = phases_frame(run.get("phases_json"))
    if frame.empty:
        st.caption(ui.label("sy.phases_none"))
        return
    ui.table(frame, hide_index=True, key="sy.phases")


def render() -> None:
    key, snapshot = data.current_key()
    st.header(ui.label("sy.header"))
    st.caption(ui.label("sy.beijing"))
    _pulls()
    _staged()
    every = data.sync_runs(key)
    runs = in_history(every, snapshot.ordinal) if snapshot is not None else []
    st.subheader(ui.label("sy.graph_runs"))
    later = sum(1 for r in every if r.get("published") is True and r.get("ordinal") is not None
                and snapshot is not None and int(r["ordinal"]) > snapshot.ordinal)
    if later:
        st.info(ui.label("sy.later", n=later, ordinal=snapshot.ordinal if snapshot else 0))
    ui.table(pd.DataFrame([_run_row(r, log=False) for r in runs]), hide_index=True,
              key="sy.runs")
    if runs:
        ids = [str(r.get("id")) for r in runs]
        pick = st.selectbox(ui.label("sy.pick"), ids, key="sy.pick",
                            format_func=lambda i: f"{ui.when(runs[ids.index(i)].get('started_at'))}"
                                                  f" · {i}")
        run = runs[ids.index(pick)]
        tables = _json(run.get("changes_json"))
        if isinstance(tables, dict):
            st.markdown(f"**{ui.label('sy.changes')}**")
            ui.table(pd.DataFrame([
                {ui.label("col.table"): name, **{ui.label(f"col.{k}"): (c or {}).get(k, 0)
                                                 for k in CHANGE_KINDS}}
                for name, c in tables.items()
            ]), hide_index=True, key="sy.changes")
        _phases(run)
        warnings = _json(run.get("warnings_json"))
        if warnings:
            st.markdown(f"**{ui.label('sy.warnings')}**")
            ui.table(issues_frame(warnings), hide_index=True, key="sy.warnings")
    st.subheader(ui.label("sy.log"))
    log = data.sync_log()
    if not log:
        st.caption(ui.label("sy.no_log", path=ui.plain(data.sync_log_path())))
        return
    ui.table(pd.DataFrame([_run_row(item, log=True) for item in log]), hide_index=True,
              key="sy.log")
    with_errors = [item for item in log if item.get("errors_json")]
    if with_errors:
        st.markdown(f"**{ui.label('sy.errors')}**")
        ui.table(pd.concat([issues_frame(_json(item["errors_json"]) or [], item.get("id"))
                                for item in with_errors], ignore_index=True),
                  hide_index=True, key="sy.errors")
