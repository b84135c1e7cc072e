"""The versioned loader itself: copy-on-change, re-pointing, clean-up, legacy adoption.

The fixture is the hand-made ``sync_basic`` export (6 units, 7 organisations, 4 people …);
each test changes one thing in a second export and reads the graph at both snapshots.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from redgov.graph.conditions import OPEN, expand
from redgov.graph.snapshots import latest, list_snapshots
from redgov.loaders import sync_export
from redgov.loaders.sync import remove_unpublished
from test_sync_support import copy_export, dump, set_cell, set_manifest


@pytest.fixture(autouse=True)
def _home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path_factory.getbasetemp() / "versions-home"
    home.mkdir(exist_ok=True)
    monkeypatch.setenv("REDGOV_HOME", str(home))
    return home


_UNIT_AT = expand(
    "MATCH (u:Unit {code: $code}) WHERE @live(u) "
    "OPTIONAL MATCH (o:Organisation)-[s:SITS_AT]->(u) WHERE @live(s) "
    "RETURN u.households AS households, collect(o.code) AS sitting"
)
_VERSIONS = "MATCH (u:Unit {code: $code}) RETURN u.vf AS vf, u.vt AS vt ORDER BY vf"
_ALL = "MATCH (n) WHERE n.vf IS NOT NULL RETURN count(n) AS n"
_ALL_RELS = "MATCH ()-[r]->() RETURN count(r) AS n"


def _second(tmp_path: Path) -> Path:
    export = copy_export(tmp_path, to="second")
    set_manifest(export, "快照日期", "2024-04-01")
    set_cell(export, "单位", 6, "户数", "321")  # K1: 320 → 321
    return export


def test_a_change_is_a_new_version_and_the_old_one_stays(store, tmp_path: Path) -> None:
    first = copy_export(tmp_path)
    assert sync_export(store, first).status == "applied"
    one = store.read(_UNIT_AT, {"code": "K1", "snapshot": 1})
    assert sync_export(store, _second(tmp_path)).status == "applied"
    assert [s.ordinal for s in list_snapshots(store.read)] == [1, 2]
    assert store.read(_VERSIONS, {"code": "K1"}) == [{"vf": 1, "vt": 2}, {"vf": 2, "vt": OPEN}]
    at1 = store.read(_UNIT_AT, {"code": "K1", "snapshot": 1})
    at2 = store.read(_UNIT_AT, {"code": "K1", "snapshot": 2})
    assert at1 == one
    assert at1[0]["households"] == 320 and at2[0]["households"] == 321
    # the organisations sitting at K1 were re-pointed onto its new version, not lost
    assert sorted(at2[0]["sitting"]) == sorted(at1[0]["sitting"]) != []


def test_storage_grows_with_what_changed(store, tmp_path: Path) -> None:
    assert sync_export(store, copy_export(tmp_path)).status == "applied"
    nodes1, rels1 = store.read(_ALL)[0]["n"], store.read(_ALL_RELS)[0]["n"]
    assert sync_export(store, _second(tmp_path)).status == "applied"
    nodes2, rels2 = store.read(_ALL)[0]["n"], store.read(_ALL_RELS)[0]["n"]
    # one compound changed: one more version of it, and of its fact (its households)
    assert nodes2 == nodes1 + 2
    degree = store.read(
        "MATCH (u:Unit {code: 'K1'}) WHERE u.vt = $open MATCH (u)-[r]-() RETURN count(r) AS n",
        {"open": OPEN})[0]["n"]
    assert rels2 == rels1 + degree  # its relations were copied once, nothing else


def test_an_unpublished_version_is_invisible_and_removed(store, tmp_path: Path) -> None:
    assert sync_export(store, copy_export(tmp_path)).status == "applied"
    before = dump(store)
    # what a sync killed mid-way leaves: an unpublished run and versions above it
    with store.writing() as w:
        w.run("CREATE (:SyncRun {id: 'killed', ordinal: 2, published: false})")
        w.run("MATCH (u:Unit {code: 'K1'}) WHERE u.vt = $open SET u.vt = 2", {"open": OPEN})
        w.run("CREATE (:Unit {code: 'K1', households: 999, vf: 2, vt: $open})", {"open": OPEN})
    assert latest(store.read) == 1
    assert dump(store) == before
    with store.writing() as w:
        assert remove_unpublished(w) == 1
    assert store.read(_VERSIONS, {"code": "K1"}) == [{"vf": 1, "vt": OPEN}]
    assert store.read("MATCH (r:SyncRun) RETURN count(r) AS n") == [{"n": 1}]
    assert dump(store) == before


def test_a_graph_from_before_snapshots_is_adopted(store, tmp_path: Path) -> None:
    """An older redgov wrote no versions: the first sync makes that graph snapshot 1."""
    export = copy_export(tmp_path)
    assert sync_export(store, export).status == "applied"
    before = dump(store)
    with store.writing() as w:  # strip the versions, as an older redgov would have left it
        w.run("MATCH (n) WHERE n.vf IS NOT NULL REMOVE n.vf, n.vt")
        w.run("MATCH ()-[r]->() REMOVE r.vf, r.vt")
        w.run("MATCH (r:SyncRun) REMOVE r.ordinal, r.published")
    assert latest(store.read) == 0
    report = sync_export(store, export, verify=True)
    assert report.status == "unchanged"  # same export: nothing to write, but adopted
    assert latest(store.read) == 1
    assert dump(store) == before
