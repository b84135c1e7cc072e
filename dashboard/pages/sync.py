"""同步 Sync: the runs applied to the graph (SyncRun nodes) and every attempt (the log).

Only runs that changed something become SyncRun nodes; ``sync-runs.jsonl`` in the data
directory holds every attempt, rejected and unchanged ones included, so both are shown.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import streamlit as st

from .. import data, ui

__all__ = ["change_totals", "render"]

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


def render() -> None:
    key, _ = data.current_key()
    st.header(ui.label("sy.header"))
    runs = data.sync_runs(key)
    st.subheader(ui.label("sy.graph_runs"))
    table = []
    for r in runs:
        totals = change_totals(r.get("changes_json"))
        table.append({
            ui.label("col.run"): r.get("id"), ui.label("col.source"): r.get("source"),
            ui.label("col.snapshot"): r.get("snapshot_date"),
            ui.label("col.kind_run"): r.get("kind"), ui.label("col.started"): r.get("started_at"),
            ui.label("col.duration"): r.get("duration_s"),
            **{ui.label(f"col.{k}"): v for k, v in totals.items()},
            ui.label("col.warnings"): r.get("warnings"),
        })
    st.dataframe(pd.DataFrame(table), hide_index=True, key="sy.runs")
    if runs:
        ids = [str(r.get("id")) for r in runs]
        pick = st.selectbox(ui.label("sy.pick"), ids, key="sy.pick")
        run = runs[ids.index(pick)]
        tables = _json(run.get("changes_json"))
        if isinstance(tables, dict):
            st.markdown(f"**{ui.label('sy.changes')}**")
            st.dataframe(pd.DataFrame([
                {ui.label("col.table"): name, **{ui.label(f"col.{k}"): (c or {}).get(k, 0)
                                                 for k in CHANGE_KINDS}}
                for name, c in tables.items()
            ]), hide_index=True, key="sy.changes")
        warnings = _json(run.get("warnings_json"))
        if warnings:
            st.markdown(f"**{ui.label('sy.warnings')}**")
            st.dataframe(pd.DataFrame(warnings if isinstance(warnings, list) else [warnings]),
                         hide_index=True, key="sy.warnings")
    st.subheader(ui.label("sy.log"))
    log = data.sync_log()
    if not log:
        st.caption(ui.label("sy.no_log", path=data.sync_log_path()))
        return
    flat = []
    for item in log:
        flat.append({
            ui.label("col.run"): item.get("id"), ui.label("col.status"): item.get("status"),
            ui.label("col.source"): item.get("source"),
            ui.label("col.snapshot"): item.get("snapshot_date"),
            ui.label("col.kind_run"): item.get("kind"),
            ui.label("col.started"): item.get("started_at"),
            ui.label("col.duration"): item.get("duration_s"),
            **{ui.label(f"col.{k}"): v
               for k, v in change_totals(item.get("changes_json")).items()},
            ui.label("col.warnings"): item.get("warnings"),
            ui.label("col.errors"): item.get("errors"),
            "path": item.get("path"),
        })
    st.dataframe(pd.DataFrame(flat), hide_index=True, key="sy.log")
    with_errors = [item for item in log if item.get("errors_json")]
    if with_errors:
        st.markdown(f"**{ui.label('sy.errors')}**")
        st.dataframe(pd.DataFrame([
            {ui.label("col.run"): item.get("id"), **(e if isinstance(e, dict) else {"error": e})}
            for item in with_errors for e in _json(item["errors_json"]) or []
        ]), hide_index=True, key="sy.errors")
