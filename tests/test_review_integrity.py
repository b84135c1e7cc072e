"""A staged set is not trusted as written: its record and its copy are sealed.

``sync_basic`` is published, E2 (test_review.py) is staged on it, then E3 is published
directly, so E2's base is stale.  Each case tampers with the set the way a person with
the data directory open might, and checks that approve or reject refuses, writes nothing
to the graph and deletes nothing outside the set's own folder.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from redgov.graph.conditions import OPEN
from redgov.graph.home import data_dir
from redgov.graph.snapshots import latest
from redgov.graph.stores.base import Store
from redgov.loaders import staging, sync_export
from redgov.loaders.staging import STAGED_FILE, ReviewError, approve, reject, staged_root
from test_review import _no_staged_sets, e2, e3
from test_sync_support import BASIC

from redgov.cli import main

__all__ = ["_no_staged_sets"]  # autouse here too: every case starts with no staged sets

_K2 = "MATCH (u:Unit {code: 'K2'}) WHERE u.vt = $open RETURN u.name AS name"


def k2(store: Store) -> str:
    """K2's name in its current version (older versions stay in the graph)."""
    return str(store.read(_K2, {"open": OPEN})[0]["name"])


def _staged(store: Store, tmp: Path, publish_e3: bool = True) -> str:
    assert sync_export(store, BASIC).status == "applied"
    result = CliRunner().invoke(main, ["sync", str(e2(tmp)), "--review", "--format", "json"])
    sid = json.loads(result.output)["staged_id"]
    if publish_e3:
        assert sync_export(store, e3(tmp)).status == "applied"
    return str(sid)


def _edit(sid: str, change) -> None:  # type: ignore[no-untyped-def]
    path = staged_root() / sid / STAGED_FILE
    record = json.loads(path.read_text("utf-8"))
    change(record)
    path.write_text(json.dumps(record, ensure_ascii=False), "utf-8")


def _victim(tmp: Path) -> Path:
    victim = tmp / "outside" / "keep"
    victim.mkdir(parents=True)
    (victim / "note.txt").write_text("not redgov's", "utf-8")
    return victim


def test_an_edited_base_is_refused(store: Store, redgov_env: dict[str, str],
                                   tmp_path: Path) -> None:
    sid = _staged(store, tmp_path)
    _edit(sid, lambda r: r["base"].update(ordinal=2))  # to slip past the conflict check
    with pytest.raises(ReviewError) as refused:
        approve(store, sid)
    assert refused.value.code == "altered" and "staged.json" in refused.value.zh, refused.value
    assert latest(store.read) == 2 and k2(store) == "金山小区"
    result = CliRunner().invoke(main, ["review", "approve", sid])
    assert result.exit_code == 1 and "已被改动" in result.output, result.output


def test_a_copy_pointed_outside_is_refused_and_left_alone(
        store: Store, redgov_env: dict[str, str], tmp_path: Path) -> None:
    sid = _staged(store, tmp_path, publish_e3=False)
    victim = _victim(tmp_path)
    for value in (str(victim), f"../../../{victim.relative_to(tmp_path)}", "export/../.."):
        _edit(sid, lambda r, v=value: r.update(export=v))
        with pytest.raises(ReviewError) as refused:
            reject(sid, "tampered")
        assert refused.value.code == "altered", refused.value
        assert (victim / "note.txt").read_text("utf-8") == "not redgov's"
    # The record untouched, the copy itself swapped for a link to the outside folder.
    sid2 = _staged_again(store, tmp_path)
    copy = staged_root() / sid2 / "export"
    import shutil

    shutil.rmtree(copy)
    copy.symlink_to(victim, target_is_directory=True)
    for step in (lambda: reject(sid2, "tampered"), lambda: approve(store, sid2)):
        with pytest.raises(ReviewError) as refused:
            step()
        assert refused.value.code == "altered", refused.value
        assert sorted(p.name for p in victim.iterdir()) == ["note.txt"]
    assert latest(store.read) == 1


def _staged_again(store: Store, tmp: Path) -> str:
    result = CliRunner().invoke(main, ["sync", str(e2(tmp / "again")), "--review",
                                       "--format", "json"])
    return str(json.loads(result.output)["staged_id"])


def test_a_modified_copy_is_refused(store: Store, redgov_env: dict[str, str],
                                    tmp_path: Path) -> None:
    sid = _staged(store, tmp_path, publish_e3=False)
    units = staged_root() / sid / "export" / "单位.csv"
    staged = units.read_bytes()
    units.write_bytes(staged.replace("金山花园".encode(), "金山别墅".encode()))
    for step in (lambda: approve(store, sid), lambda: reject(sid, "changed")):
        with pytest.raises(ReviewError) as refused:
            step()
        assert refused.value.code == "altered" and "副本" in refused.value.zh, refused.value
    assert latest(store.read) == 1 and k2(store) == "金山小区"
    extra = staged_root() / sid / "export" / "extra.csv"  # a file added is a change too
    units.write_bytes(staged)
    extra.write_text("a,b\n", "utf-8")
    with pytest.raises(ReviewError):
        approve(store, sid)
    extra.unlink()
    _record, report = approve(store, sid)  # restored byte for byte: it goes through
    assert report.status == "applied" and k2(store) == "金山花园"
    assert not (staged_root() / sid / "export").exists()


def test_the_copy_is_read_once_under_the_check(
        store: Store, redgov_env: dict[str, str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A change to the staged copy after the check (between check and sync) is not what
    gets published: the sync reads the checked private copy."""
    sid = _staged(store, tmp_path, publish_e3=False)
    units = staged_root() / sid / "export" / "单位.csv"
    real = staging.sync_export

    def late_edit(store_: Store, path: Path, **kw):  # type: ignore[no-untyped-def]
        units.write_bytes(units.read_bytes().replace("金山花园".encode(), "金山别墅".encode()))
        return real(store_, path, **kw)

    monkeypatch.setattr(staging, "sync_export", late_edit)
    _record, report = approve(store, sid)
    assert report.status == "applied" and k2(store) == "金山花园"
    key = data_dir() / staging.REVIEW_KEY
    assert oct(key.stat().st_mode & 0o777) == "0o600"
