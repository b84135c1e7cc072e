"""The export folder being written: one streaming CSV writer per registry table.

Rows go straight to disk as they are generated, so a province-sized export never sits
in memory; the writer only keeps a row count per table for the summary.  Headers are
spelt here exactly as REGISTRY.md lists them (a test compares the two).  Files are UTF-8
without BOM and ``\\r\\n`` line ends (what Excel and the csv module expect).
"""

from __future__ import annotations

import csv
from pathlib import Path
from types import TracebackType
from typing import Final, TextIO

__all__ = ["HEADERS", "MANIFEST", "ExportWriter"]

MANIFEST: Final = "清单"

#: Table name → Chinese headers in file order (REGISTRY.md), manifest first.
HEADERS: Final[dict[str, tuple[str, ...]]] = {
    MANIFEST: ("项目", "值"),
    "单位": ("单位编码", "名称", "层级", "上级单位编码", "小区类型", "户数"),
    "组织": (
        "组织编码", "名称", "类型", "所在单位编码", "隶属组织编码", "依托主体编码",
        "组建方式", "成立日期", "届满日期", "状态",
    ),
    "人员": (
        "人员编码", "姓名", "性别", "政治面貌", "党组织编码", "居住单位编码", "身份证号", "手机号",
    ),
    "任职": ("人员编码", "组织编码", "职务", "任职类型", "开始日期", "结束日期"),
    "监管": ("监管方编码", "被监管方编码", "监管类型", "开始日期", "结束日期"),
    "物业服务": ("企业编码", "小区编码", "项目名称", "开始日期", "结束日期"),
    "走访": ("人员编码", "组织编码", "日期"),
    "评价": ("企业编码", "年度", "红黑榜", "信用等级"),
    # 示范创建 (seed 004), written after the rest by .evaluation
    "评分": ("年度", "评选类别", "对象编码", "指标", "得分", "评分组织编码"),
    "命名": ("年度", "评选类别", "对象编码", "命名日期"),
    "事件": ("对象编码", "类型", "日期", "说明"),
    "经费": ("组织编码", "年度", "金额"),
}


class ExportWriter:
    """Open every table of an export folder for writing; ``row(table, *values)`` appends."""

    def __init__(self, out_dir: Path) -> None:
        out_dir.mkdir(parents=True, exist_ok=True)
        self.out_dir = out_dir
        self.counts: dict[str, int] = {name: 0 for name in HEADERS}
        self._files: dict[str, TextIO] = {}
        self._writers: dict[str, csv.Writer] = {}  # type: ignore[name-defined]
        for name, header in HEADERS.items():
            fh = (out_dir / f"{name}.csv").open("w", encoding="utf-8", newline="")
            self._files[name] = fh
            writer = csv.writer(fh)
            writer.writerow(header)
            self._writers[name] = writer

    def row(self, table: str, *values: object) -> None:
        self._writers[table].writerow(values)
        self.counts[table] += 1

    def close(self) -> None:
        for fh in self._files.values():
            fh.close()

    def __enter__(self) -> ExportWriter:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
