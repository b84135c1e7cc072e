"""The manifest (清单): source, export time, snapshot date, full or incremental, version.

Read first and on its own: without a valid ``类型`` the other tables cannot be read
(an incremental export's rows carry ``操作``), and the snapshot date is what a full
export's retirements are dated with.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from .normalise import BadValue, clean_code, clean_text, parse_date
from .read import Export, Formula, TableError
from .report import Issue
from .tables import (
    FULL,
    INCREMENTAL,
    KIND_EN,
    M_EXPORTED,
    M_KIND,
    M_SNAPSHOT,
    M_SOURCE,
    M_VERSION,
    MANIFEST,
)

__all__ = ["MISSING_COLUMN", "MISSING_TABLE", "Manifest", "issue", "read_manifest"]


def issue(table: str, row: int | None, column: str | None, value: object, zh: str, en: str
          ) -> Issue:
    return Issue(table, row, column, None if value is None else str(value), zh, en)


@dataclass
class Manifest:
    source: str | None = None
    exported_at: str | None = None
    snapshot_date: str | None = None
    kind: str | None = None  # 全量 / 增量
    version: str | None = None

    @property
    def incremental(self) -> bool:
        return self.kind == INCREMENTAL

    @property
    def kind_en(self) -> str | None:
        return KIND_EN.get(self.kind or "")


MISSING_TABLE = ("缺少必需的表", "a required table is missing")
MISSING_COLUMN = ("缺少必需的列", "a required column is missing")


def read_manifest(export: Export, errors: list[Issue]) -> Manifest:
    try:
        return _read_manifest(export, errors)
    except TableError as exc:
        errors.append(exc.issue())
        return Manifest()


def _today_in_china() -> str:
    """The registry's calendar is China's (UTC+8): a snapshot dated tomorrow there is future."""
    return (datetime.now(UTC) + timedelta(hours=8)).date().isoformat()


def _read_manifest(export: Export, errors: list[Issue]) -> Manifest:
    m = Manifest()
    if not export.has(MANIFEST):
        errors.append(issue(MANIFEST, None, None, None, *MISSING_TABLE))
        return m
    rows = export.rows(MANIFEST)
    where: dict[str, tuple[int, str]] = {}
    if "项目" not in rows.headers or "值" not in rows.headers:
        for header in ("项目", "值"):
            if header not in rows.headers:
                errors.append(issue(MANIFEST, 1, header, None, *MISSING_COLUMN))
        rows.close()
        return m
    if rows.headers.count("项目") > 1 or rows.headers.count("值") > 1:
        errors.append(issue(MANIFEST, 1, "值", None, "列名重复（同名的两列会互相覆盖）",
                            "the column appears twice (one would overwrite the other)"))
        rows.close()
        return m
    for number, raw in rows.rows:
        key = clean_code(raw.get("项目"))
        if key in where:
            errors.append(issue(MANIFEST, number, "项目", key,
                                f"清单项重复（第 {where[key][0]} 行已有）",
                                f"the manifest item repeats row {where[key][0]}"))
        elif key:
            where[key] = (number, raw.get("值"))
    for key, required in ((M_SNAPSHOT, True), (M_KIND, True), (M_SOURCE, False),
                          (M_EXPORTED, False), (M_VERSION, False)):
        if key not in where:
            if required:
                errors.append(issue(MANIFEST, None, "项目", key, "清单缺少此项",
                                   "the manifest lacks this item"))
            continue
        number, raw = where[key]
        if isinstance(raw, Formula):
            errors.append(issue(MANIFEST, number, "值", raw.ref,
                                f"公式单元格 {raw.ref} 没有计算结果（请在 Excel 中打开并保存后"
                                "再导出）",
                                f"formula cell {raw.ref} has no value computed by Excel "
                                "(open and save the workbook in Excel, then export again)"))
            continue
        text = clean_text(raw)
        if key == M_SNAPSHOT:
            try:
                m.snapshot_date = parse_date(raw)
            except BadValue as exc:
                errors.append(issue(MANIFEST, number, "值", text, exc.zh, exc.en))
                continue
            if m.snapshot_date is None:
                errors.append(issue(MANIFEST, number, "值", "", "必填项为空",
                                   "a required value is empty"))
            elif m.snapshot_date > _today_in_china():
                errors.append(issue(MANIFEST, number, "值", m.snapshot_date,
                                   "快照日期在未来", "the snapshot date is in the future"))
                m.snapshot_date = None
        elif key == M_KIND:
            kind = clean_code(raw)
            if kind not in (FULL, INCREMENTAL):
                errors.append(issue(MANIFEST, number, "值", text, "类型应为全量或增量",
                                   "类型 must be 全量 (full) or 增量 (incremental)"))
            else:
                m.kind = kind
        elif key == M_VERSION:
            m.version = clean_code(raw)
            if m.version not in ("1", "1.0", ""):
                errors.append(issue(MANIFEST, number, "值", text, "不支持的版本（应为 1）",
                                   "unsupported version (expected 1)"))
        elif key == M_SOURCE:
            m.source = text or None
        else:
            m.exported_at = text or None
    return m
