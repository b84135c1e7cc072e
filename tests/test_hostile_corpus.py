"""The hostile-export corpus (tests/corpus/hostile.py) through the real sync, on every engine.

Each case states its exact errors and warnings (table, row, column, value, English
reason); a rejected case must leave the graph exactly as it was, and no case may leave
its scratch folder behind.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from corpus.hostile import BASIC, CASES, Case
from redgov.graph.home import data_dir
from redgov.loaders import sync_export
from test_sync_support import dump


def _shown(issues: list) -> list[tuple]:  # type: ignore[type-arg]
    out = []
    for i in issues:
        value = Path(i.value).name if (i.table == "" and i.value) else i.value
        out.append((i.table, i.row, i.column, value, i.reason_en))
    return out


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_export(case: Case, store, tmp_path: Path,  # type: ignore[no-untyped-def]
                        monkeypatch: pytest.MonkeyPatch) -> None:
    if case.base:
        assert sync_export(store, BASIC).status == "applied"
    before = dump(store)
    path = case.build(tmp_path)
    for k, v in case.env.items():
        monkeypatch.setenv(k, v)
    report = sync_export(store, path)
    assert _shown(report.errors) == case.errors
    assert _shown(report.warnings) == case.warnings
    if case.errors:
        assert report.status == "rejected"
        assert dump(store) == before
    else:
        assert report.status == "applied"
    assert not [p for p in (data_dir() / "tmp").iterdir() if p.name.startswith("sync-")]
