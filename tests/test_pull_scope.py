"""Issue 21: a source changes only its scope's subtree; anything else is refused unwritten.

The history's first export (``tests/fixtures/history/e1…``: CITY1 › DIST1 › streets ST1
and ST2) is synced by hand; then sources scoped to the street ST1 drop small incremental
exports (written here, so the one change each makes is plain) into their folders.  Inside
ST1 — a compound's households, a district department supervising a company of ST1 (a
reference upwards) — is published; a compound of ST2, a compound moved from ST1 to ST2, a
supervision of ST2's company, and a full export that founds a branch in ST2 are refused
with one line naming the scope, and the snapshot list does not move.  A review source's
refused export stages nothing; a city-wide source takes the full export.  Both engines.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from typing import Any

from redgov.graph.snapshots import list_snapshots
from redgov.loaders import sync_export
from redgov.loaders.pull import pull
from redgov.loaders.sources import FOLDER, Source, add_source
from redgov.loaders.staging import list_staged

HISTORY = Path(__file__).parent / "fixtures" / "history"
EXPORTS = sorted(p for p in HISTORY.iterdir() if p.is_dir())

HEADERS = {
    "单位": ["单位编码", "名称", "层级", "上级单位编码", "小区类型", "户数"],
    "组织": ["组织编码", "名称", "类型", "所在单位编码", "隶属组织编码", "依托主体编码", "组建方式",
           "成立日期", "届满日期", "状态"],
    "人员": ["人员编码", "姓名", "性别", "政治面貌", "党组织编码", "居住单位编码"],
    "任职": ["人员编码", "组织编码", "职务", "任职类型", "开始日期", "结束日期"],
    "监管": ["监管方编码", "被监管方编码", "监管类型", "开始日期", "结束日期"],
}


def increment(day: str, rows: dict[str, list[list[str]]]) -> bytes:
    """An 增量 export as a zip: the required tables (empty unless given) and ``rows``."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        manifest = [["项目", "值"], ["来源", "城厢街道党建台账"], ["导出时间", f"{day} 18:00:00"],
                    ["快照日期", day], ["类型", "增量"], ["版本", "1"]]
        tables = {"清单": manifest}
        for table, header in HEADERS.items():
            if table in rows or table != "监管":
                tables[table] = [[*header, "操作"], *rows.get(table, [])]
        for name, lines in tables.items():
            text = io.StringIO()
            csv.writer(text).writerows(lines)
            zf.writestr(f"{name}.csv", text.getvalue().encode())
    return buf.getvalue()


def zip_folder(folder: Path) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for p in sorted(folder.iterdir()):
            zf.writestr(p.name, p.read_bytes())
    return buf.getvalue()


INSIDE = increment("2024-07-01", {
    "单位": [["CP1", "大洋雅苑", "小区", "CM1", "物管小区", "310", "修改"]],
    "监管": [["ZJ1", "CO1", "行业监管", "2024-07-01", "", "新增"]],
})
OUTSIDE = {
    "ST2 compound": increment("2024-07-02", {
        "单位": [["CP5", "新苑", "小区", "CM3", "安置小区", "155", "修改"]]}),
    "moved out": increment("2024-07-03", {
        "单位": [["CP4", "幸福里", "小区", "CM3", "老旧小区", "80", "修改"]]}),
    "sideways supervision": increment("2024-07-04", {
        "监管": [["ZJ1", "CO2", "行业监管", "2024-07-04", "", "新增"]]}),
    "full export": zip_folder(EXPORTS[1]),
}


def _dates(store: Any) -> list[str]:
    return [s.date for s in list_snapshots(store.read)]


def _drop(folder: Path, name: str, body: bytes) -> None:
    for old in folder.iterdir():
        old.unlink()
    (folder / name).write_bytes(body)


def _source(home: Path, name: str, scope: str, *, review: bool = False) -> Path:
    drop = home / f"drop-{name}"
    drop.mkdir()
    add_source(Source(name=name, kind=FOLDER, location=str(drop), scope=scope,
                      review=review, settle_s=0.05), home=home)
    return drop


def test_scope_refuses_everything_outside_before_writing(store: Any, tmp_path: Path) -> None:
    assert sync_export(store, EXPORTS[0]).status == "applied"
    street = _source(tmp_path, "st1", "ST1")
    _drop(street, "inside.zip", INSIDE)
    out = pull(store, ["st1"], home=tmp_path)
    assert [o.status for o in out] == ["applied"], [o.line() for o in out]
    assert _dates(store) == ["2024-06-30", "2024-07-01"]
    for case, body in OUTSIDE.items():
        _drop(street, f"{case.replace(' ', '-')}.zip", body)
        out = pull(store, ["st1"], home=tmp_path)
        assert [o.status for o in out] == ["failed"], (case, [o.line() for o in out])
        line = out[0].line()
        assert "范围" in line and "ST1" in line and "未写入任何数据" in line, (case, line)
        assert "\n" not in line, line
        assert _dates(store) == ["2024-06-30", "2024-07-01"], (case, _dates(store))
    staged_before = len(list_staged())
    reviewed = _source(tmp_path, "st1review", "ST1", review=True)
    _drop(reviewed, "st2.zip", OUTSIDE["ST2 compound"])
    out = pull(store, ["st1review"], home=tmp_path)
    assert [o.status for o in out] == ["failed"] and "范围" in out[0].line(), out[0].line()
    assert len(list_staged()) == staged_before
    city = _source(tmp_path, "city", "CITY1")
    _drop(city, "e2.zip", zip_folder(EXPORTS[1]))
    out = pull(store, ["city"], home=tmp_path)
    assert [o.status for o in out] == ["applied"], [o.line() for o in out]
    assert _dates(store) == ["2024-06-30", "2024-07-01", "2024-09-30"]


def test_review_source_inside_scope_stages(store: Any, tmp_path: Path) -> None:
    """A review source's export inside its scope is staged, not published."""
    assert sync_export(store, EXPORTS[0]).status == "applied"
    drop = _source(tmp_path, "st1review", "ST1", review=True)
    _drop(drop, "inside.zip", INSIDE)
    out = pull(store, ["st1review"], home=tmp_path)
    assert [o.status for o in out] == ["staged"], [o.line() for o in out]
    assert _dates(store) == ["2024-06-30"]
    sid = out[0].staged_id
    assert any(r["id"] == sid and r["status"] == "staged" for r in list_staged()), sid
    out = pull(store, ["st1review"], home=tmp_path)  # the same file again: not re-staged
    assert [o.status for o in out] == ["nothing-new"], [o.line() for o in out]
