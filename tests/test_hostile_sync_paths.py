"""Every way out of a sync: the store failing mid-write, the scratch folder, the CLI's line.

The store is made to fail through the Store protocol only (a :class:`StoreError` from a
writer after some batches, or from a read), as a dying server makes a real adapter do;
the sync must then leave the graph exactly as it was, remove its scratch folder, log a
``failed`` run, and the CLI must print one line and exit 1 — never a traceback.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from redgov.graph.home import data_dir
from redgov.graph.stores import StoreError
from redgov.loaders import sync_export
from redgov.loaders.runlog import LOG_FILE
from redgov.loaders.workdir import PREFIX, scratch_root
from test_sync_support import BASIC, copy_export, dump, set_cell

from redgov.cli import main


class _DyingWriter:
    def __init__(self, inner: Any, budget: list[int]) -> None:
        self._inner, self._budget = inner, budget

    def _spend(self) -> None:
        self._budget[0] -= 1
        if self._budget[0] < 0:
            raise StoreError("the store stopped answering (connection reset)")

    def run(self, query: str, params: Mapping[str, Any] | None = None) -> list[Any]:
        self._spend()
        return self._inner.run(query, params)

    def run_batched(self, query: str, rows: Any, *, batch_size: int = 1000) -> int:
        self._spend()
        return self._inner.run_batched(query, rows, batch_size=batch_size)


class DyingStore:
    """A real store whose transactions fail after ``calls`` writer calls (server death)."""

    def __init__(self, inner: Any, calls: int) -> None:
        self._inner, self._calls = inner, calls
        self.engine, self.description = inner.engine, inner.description

    def read(self, query: str, params: Mapping[str, Any] | None = None) -> list[Any]:
        return self._inner.read(query, params)

    def read_meta(self, query: str, params: Mapping[str, Any] | None = None) -> list[Any]:
        return self._inner.read_meta(query, params)

    def write_meta(self, query: str, params: Mapping[str, Any] | None = None) -> list[Any]:
        return self._inner.write_meta(query, params)

    @contextlib.contextmanager
    def transaction(self, *, bulk: bool = False) -> Iterator[_DyingWriter]:
        with self._inner.transaction(bulk=bulk) as writer:
            yield _DyingWriter(writer, [self._calls])

    @contextlib.contextmanager
    def writing(self) -> Iterator[_DyingWriter]:
        with self._inner.writing() as writer:
            yield _DyingWriter(writer, [self._calls])

    def setup_schema(self) -> None:
        self._inner.setup_schema()

    def version(self) -> str:
        return self._inner.version()

    def close(self) -> None:
        pass


def _scratch() -> list[Path]:
    return [p for p in (data_dir() / "tmp").iterdir() if p.name.startswith(PREFIX)]


@pytest.mark.parametrize("calls", [0, 1, 3, 6])
def test_store_dying_mid_sync_leaves_graph_and_disk_clean(store, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                          calls: int) -> None:
    assert sync_export(store, BASIC).status == "applied"
    before = dump(store)
    folder = copy_export(tmp_path)
    set_cell(folder, "单位", 2, "名称", "厦门市（改）")
    set_cell(folder, "人员", 2, "姓名", "张三丰")
    with pytest.raises(StoreError):
        sync_export(DyingStore(store, calls), folder)
    assert dump(store) == before
    assert _scratch() == []
    last = json.loads((data_dir() / LOG_FILE).read_text(encoding="utf-8").splitlines()[-1])
    assert last["status"] == "failed"
    assert sync_export(store, folder).status == "applied"  # the next sync goes through


def test_cli_store_error_is_one_line(store, redgov_env: dict, monkeypatch: pytest.MonkeyPatch  # type: ignore[no-untyped-def]
                                     ) -> None:
    import redgov.commands.sync as sync_command

    def dying(*_a: Any, **_k: Any) -> Any:
        raise StoreError("the embedded server died (350206198001011234)")
    monkeypatch.setattr(sync_command, "sync_export", dying)
    result = CliRunner().invoke(main, ["sync", str(BASIC)])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "错误：同步失败，未应用任何更改：the embedded server died (3502**********1234)"]
    assert "Traceback" not in result.output


def test_cli_unexpected_error_is_one_line(store, redgov_env: dict,  # type: ignore[no-untyped-def]
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import redgov.commands.sync as sync_command

    def broken(*_a: Any, **_k: Any) -> Any:
        raise KeyError("x")
    monkeypatch.setattr(sync_command, "sync_export", broken)
    result = CliRunner().invoke(main, ["sync", str(BASIC)])
    assert (result.exit_code, len(result.output.strip().splitlines())) == (1, 1), result.output
    assert "KeyError" in result.output


def test_stale_scratch_of_a_killed_sync_is_removed(store) -> None:  # type: ignore[no-untyped-def]
    root = scratch_root()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    stale = root / f"{PREFIX}{dead.stdout.strip()}-abc123"
    (stale / "spool-x").mkdir(parents=True)
    (stale / "spool-x" / "0.pickle").write_bytes(b"names")
    live = root / f"{PREFIX}{os.getppid()}-def456"  # a running process's: kept
    live.mkdir()
    assert sync_export(store, BASIC).status == "applied"
    assert not stale.exists() and live.exists()
    live.rmdir()


def test_scratch_is_private_and_inside_the_data_dir(store, monkeypatch: pytest.MonkeyPatch  # type: ignore[no-untyped-def]
                                                    ) -> None:
    import redgov.loaders.validate as validate

    seen: list[tuple[Path, int, int]] = []
    real = validate.Spool

    def spying(workdir: Path | None = None) -> Any:
        spool = real(workdir)
        d = spool._dir
        seen.append((d, os.stat(d).st_mode & 0o777, os.stat(d.parent).st_mode & 0o777))
        return spool
    monkeypatch.setattr(validate, "Spool", spying)
    assert sync_export(store, BASIC).status == "applied"
    (spool, mode, parent_mode), = seen
    assert data_dir() / "tmp" in spool.parents
    assert (mode, parent_mode, (data_dir() / "tmp").stat().st_mode & 0o777) == (0o700,) * 3
    assert not spool.exists()


def test_scan_failing_midway_removes_its_spool(store, monkeypatch: pytest.MonkeyPatch  # type: ignore[no-untyped-def]
                                               ) -> None:
    import redgov.loaders.validate as validate

    def boom(*_a: Any, **_k: Any) -> None:
        raise KeyboardInterrupt
    monkeypatch.setattr(validate, "_check_orgs", boom)
    with pytest.raises(KeyboardInterrupt):
        sync_export(store, BASIC)
    assert _scratch() == []


def test_every_limit_is_documented_with_its_default(monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import fields

    from redgov.loaders.limits import ENV, Limits

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    shown = {"entry_bytes": "1 GiB", "total_bytes": "4 GiB"}
    for f in fields(Limits):
        default = shown.get(f.name, str(f.default))
        assert f"| `{ENV[f.name]}` | {default} |" in readme, f.name
    monkeypatch.setenv("REDGOV_MAX_ROWS", "1_000")
    monkeypatch.setenv("REDGOV_MAX_ENTRY_BYTES", "2048")
    assert (Limits.from_env().rows, Limits.from_env().entry_bytes) == (1000, 2048)
    assert (Limits().entry_bytes, Limits().total_bytes) == (1 << 30, 4 << 30)


def test_legacy_tmp_spools_are_swept(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from redgov.loaders.workdir import LEGACY_PREFIX, remove_legacy

    old, fresh = tmp_path / f"{LEGACY_PREFIX}old", tmp_path / f"{LEGACY_PREFIX}fresh"
    for d in (old, fresh):
        d.mkdir()
        (d / "0.pickle").write_bytes(b"names")
    os.utime(old, (0, 0))
    assert remove_legacy(tmp_path) == [old]
    assert fresh.exists() and not old.exists()
