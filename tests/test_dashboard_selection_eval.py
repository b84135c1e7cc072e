"""The 示范创建 page's ranking tab on the evaluation fixture (tests/fixtures/evaluation, whose
answers tests/test_evaluation.py computes by hand): the ranking, each disqualified candidate
with its reason and evidence, and the criterion chart, for 2024 at the latest snapshot.

A module of its own: Neo4j has one database, held by one module's graph at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from redgov.loaders import sync_export
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash
from test_dashboard_selection import APP, table

EVAL = Path(__file__).parent / "fixtures" / "evaluation"


@pytest.fixture(scope="module")
def graph(engine: Any) -> Iterator[SimpleNamespace]:
    with engine.fresh_graph("dashboard selection evaluation fixture") as name:
        store = engine.open(name)
        try:
            with pytest.MonkeyPatch.context() as mp:
                for key, value in engine.env(name).items():
                    mp.setenv(key, value)
                for export in ("y2024", "y2025"):
                    assert sync_export(store, EVAL / export).status == "applied", export
            yield SimpleNamespace(store=store, env=engine.env(name))
        finally:
            store.close()


def test_ranking_disqualified_with_evidence_and_chart(graph: SimpleNamespace,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in graph.env.items():
        monkeypatch.setenv(key, value)
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()  # no account: the single local user (an admin)
    at._page_hash = calc_hash("selection")
    at.run()
    assert not at.exception, at.exception
    assert at.number_input(key="se.year").value == 2025  # the latest scored year
    at.number_input(key="se.year").set_value(2024).run()
    assert not at.exception, at.exception
    ranking = table(at, "名次", "党建引领好")
    assert [(r["名次"], r["对象编码"], r["总分"]) for r in ranking][:3] == [
        ("1", "X06", "91.7"), ("2", "X02", "89.5"), ("3", "X01", "89.5")], ranking
    assert [s.value for s in at.subheader] == ["不得参评：6 个"]
    said = " ".join(m.value for m in at.markdown)
    for line in ("无小区党组织：单位 第12行 X04", "近两年安全事故：事件 第2行 X07",
                 "物业企业近两年安全事故：事件 第4行 CO4"):
        assert line in said, said
    eligible = sum(1 for r in ranking if r["名次"])
    assert f"可参评对象的各项得分（前 {eligible} 名）" in [c.value for c in at.caption], at.caption
    nvr = table(at, "结论", "排名在后的已命名对象")
    assert {r["对象编码"] for r in nvr} >= {"X01", "X08"}, nvr  # passed over; named ineligible
