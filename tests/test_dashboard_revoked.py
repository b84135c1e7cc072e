"""An organisation revoked at the chosen snapshot is never drawn as serving (issue 19 §6).

The hand-written history of ``tests/fixtures/history/`` (its README), first two exports
only: B3 金桂苑党支部 sits at and is built in compound CP3 (community CM2) with two posts
(P16 书记, P18 委员).  In the first snapshot (2024-06-30) it is 正常; the second
(2024-09-30) has it 撤销.  Worked out by hand:

=============================  ==============  ==============
                               1 (2024-06-30)  2 (2024-09-30)
=============================  ==============  ==============
B3 listed among CP3's bodies   yes, in force   yes, not in force (status 撤销)
B3 in CP3's network            drawn           not drawn
B3 in CM2's network            drawn           not drawn
P16's B3 post serving          yes             no
=============================  ==============  ==============

The demo showed the same fault with 禹洲家园党的工作小组 (撤销 from 2024-05-31) still
joined to its compound at snapshot #12: the unit's organisations were read with
``@current`` only, and the pages re-derived activity in Python.  Both engines.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from redgov.dashboard import reads
from redgov.dashboard.snapshot import PinnedStore
from streamlit.testing.v1 import AppTest
from test_dashboard_app import APP

HISTORY = Path(__file__).parent / "fixtures" / "history"
EXPORTS = (HISTORY / "e1_2024-06-30_full", HISTORY / "e2_2024-09-30_full")
DATES = ("2024-06-30", "2024-09-30")


@pytest.fixture(scope="module")
def history(engine) -> Iterator[SimpleNamespace]:
    from redgov.loaders import sync_export

    with engine.fresh_graph("dashboard revoked") as name, \
            pytest.MonkeyPatch.context() as mp:
        for key, value in engine.env(name).items():
            mp.setenv(key, value)
        store = engine.open(name)
        try:
            reports = [sync_export(store, e) for e in EXPORTS]
            assert [r.status for r in reports] == ["applied"] * 2, [r.errors for r in reports]
            yield SimpleNamespace(store=store, runs=[r.run_id for r in reports],
                                  env=engine.env(name))
        finally:
            store.close()


def _at(history: SimpleNamespace, k: int) -> PinnedStore:
    return PinnedStore(history.store, k)


def test_the_reads_flag_a_revoked_body_instead_of_dropping_it(history: SimpleNamespace) -> None:
    listed = {k: {o["code"]: (o["status"], o["in_force"])
                  for o in reads.unit_orgs(_at(history, k), "CP3", DATES[k - 1])}
              for k in (1, 2)}
    assert listed[1]["B3"] == ("active", True), listed
    assert listed[2]["B3"] == ("revoked", False), listed
    assert listed[2]["OC3"] == ("active", True), listed  # its neighbour still serves
    serving = {k: sorted((p["org_code"], p["serving"]) for p in reads.person_posts(
        _at(history, k), "P16", as_of=DATES[k - 1])) for k in (1, 2)}
    assert serving == {1: [("B3", True)], 2: [("B3", False)]}, serving


def _network(history: SimpleNamespace, unit: str, k: int, monkeypatch: Any) -> str:
    from streamlit.util import calc_hash

    for key, value in history.env.items():
        monkeypatch.setenv(key, value)
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["snapshot"] = history.runs[k - 1]
    at.session_state["sel_unit"] = unit
    at._page_hash = calc_hash("hierarchy")
    at.run()
    assert not at.exception, at.exception
    frames = at.get("iframe")
    assert len(frames) == 1, frames
    return frames[0].proto.srcdoc


@pytest.mark.parametrize("unit", ["CP3", "CM2"])
def test_a_revoked_body_is_not_drawn_at_the_snapshot(history: SimpleNamespace, unit: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    before = _network(history, unit, 1, monkeypatch)
    after = _network(history, unit, 2, monkeypatch)
    assert '"id": "B3"' in before, before[-3000:]
    assert '"id": "B3"' not in after and "金桂苑党支部" not in after, after[-3000:]
    assert '"id": "CP3"' in after  # the compound is still drawn (its other bodies)
