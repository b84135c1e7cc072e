"""Issue 21: a drop folder is read only when a file is complete, stable and checked.

The registry drops exports (zips of the history's folders) into a folder; ``redgov pull``
takes each new one, oldest first.  A file still being written (it grows while the pull
watches it), a temporary name, a file that does not match its ``.sha256`` digest: nothing
is published, one line says why, and the next pull takes the file once it is whole.  Two
exports dropped together are published in order; a file already taken is not read again.
Both engines.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path
from typing import Any

from pull_registry import zip_export
from redgov.graph.snapshots import list_snapshots
from redgov.loaders.pull import pull, read_status
from redgov.loaders.sources import FOLDER, Source, add_source

HISTORY = Path(__file__).parent / "fixtures" / "history"
EXPORTS = sorted(p for p in HISTORY.iterdir() if p.is_dir())
ZIPS = [zip_export(p) for p in EXPORTS]


def _dates(store: Any) -> list[str]:
    return [s.date for s in list_snapshots(store.read)]


def _with_version(body: bytes, version: bytes) -> bytes:
    """The export with another 版本 in its manifest (the loader reads version 1 only)."""
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(body)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "清单.csv":
                data = data.replace("版本,1".encode(), "版本,".encode() + version)
            dst.writestr(info, data)
    return out.getvalue()


def _age(path: Path, seconds: float) -> None:
    t = time.time() - seconds
    os.utime(path, (t, t))


def test_drop_folder_waits_for_whole_checked_files(store: Any, tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    drop.mkdir()
    add_source(Source(name="share", kind=FOLDER, location=str(drop), scope="CITY1",
                      settle_s=0.2), home=tmp_path)
    target = drop / "e1.zip"
    half = len(ZIPS[0]) // 2
    target.write_bytes(ZIPS[0][:half])

    def writer_still_writing(_seconds: float) -> None:
        with open(target, "ab") as fh:  # the registry's copy goes on while we watch
            fh.write(ZIPS[0][half:half + 100])

    out = pull(store, home=tmp_path, sleep=writer_still_writing)
    assert [o.status for o in out] == ["waiting"], [o.line() for o in out]
    assert "仍在写入" in out[0].line(), out[0].line()
    assert _dates(store) == []
    target.write_bytes(ZIPS[0])
    _age(target, 5)
    out = pull(store, home=tmp_path)
    assert [o.status for o in out] == ["applied"], [o.line() for o in out]
    assert _dates(store) == ["2024-06-30"]

    # a temporary name is never read; the rename makes it an export
    part = drop / "e2.zip.part"
    part.write_bytes(ZIPS[1])
    _age(part, 5)
    out = pull(store, home=tmp_path)
    assert [o.status for o in out] == ["nothing-new"], [o.line() for o in out]
    part.rename(drop / "e2.zip")
    # …but its digest file says otherwise: refused, nothing published
    (drop / "e2.zip.sha256").write_text("0" * 64 + "  e2.zip\n")
    _age(drop / "e2.zip", 5)
    out = pull(store, home=tmp_path)
    assert [o.status for o in out] == ["failed"], [o.line() for o in out]
    assert "摘要不符" in out[0].line() and "未写入任何数据" in out[0].line(), out[0].line()
    assert _dates(store) == ["2024-06-30"]
    assert read_status(tmp_path)["sources"]["share"]["failures_in_row"] == 1
    (drop / "e2.zip.sha256").write_text(hashlib.sha256(ZIPS[1]).hexdigest() + "  e2.zip\n")
    out = pull(store, home=tmp_path)
    assert [o.status for o in out] == ["applied"], [o.line() for o in out]
    assert read_status(tmp_path)["sources"]["share"]["failures_in_row"] == 0

    # two exports at once: oldest first, both published; then nothing is read again
    for k, age in ((2, 20), (3, 10)):
        path = drop / f"e{k + 1}.zip"
        path.write_bytes(ZIPS[k])
        _age(path, age)
    out = pull(store, home=tmp_path)
    assert [o.status for o in out] == ["applied", "applied"], [o.line() for o in out]
    assert _dates(store) == ["2024-06-30", "2024-09-30", "2024-10-31", "2024-12-31"]
    out = pull(store, home=tmp_path)
    assert [o.status for o in out] == ["nothing-new"], [o.line() for o in out]

    # an export the sync rejects: one line with its first error, nothing published
    bad = drop / "e5.zip"
    bad.write_bytes(_with_version(ZIPS[4], b"9"))
    _age(bad, 5)
    out = pull(store, home=tmp_path)
    assert [o.status for o in out] == ["failed"], [o.line() for o in out]
    line = out[0].line()
    assert line.startswith("share：导出未通过校验，未写入任何数据：清单") and "\n" not in line, line
    assert len(_dates(store)) == 4
    bad.write_bytes(ZIPS[4])
    _age(bad, 4)
    out = pull(store, home=tmp_path)
    assert [o.status for o in out] == ["applied"], [o.line() for o in out]
    assert _dates(store)[-1] == "2025-03-31"
    assert not list((tmp_path / "pull" / "share").glob("export-*"))
    assert not (tmp_path / "pull" / "share" / "download.part").exists()
    # what the pull keeps in the data directory is private (0700 folders, 0600 files)
    for path in [tmp_path / "pull", *(tmp_path / "pull").rglob("*")]:
        want = 0o700 if path.is_dir() else 0o600
        assert path.stat().st_mode & 0o777 == want, (path, oct(path.stat().st_mode))
