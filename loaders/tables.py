"""The registry export's tables and columns (docs/registry.md), declared as data.

The tables themselves are declared once in :mod:`.schema` (each column with its header,
kind, graph property, references, personal-data class, label and identity) and
re-exported here, where the readers and the validator have always found them; this module
adds the export's frame: the manifest, its keys and the 增量 operations.
"""

from __future__ import annotations

from typing import Final

from .schema import (  # noqa: F401  (re-exported: the declarations live in schema.py)
    CODE,
    CODES,
    CONTRACTS,
    DATE,
    DECIMAL,
    ENUM,
    FREE,
    FUNDING,
    INCIDENTS,
    INT,
    NAMINGS,
    ORGS,
    PEOPLE,
    PII_ID,
    PII_PHONE,
    POSTS,
    RATINGS,
    ROLE,
    SCORES,
    SUPERVISION,
    TABLE_ORDER,
    TABLES,
    TEXT,
    UNITS,
    VISITS,
    Column,
    Table,
)

__all__ = [
    "MANIFEST",
    "OPERATION",
    "OPERATIONS",
    "TABLES",
    "TABLE_ORDER",
    "Column",
    "Table",
]

MANIFEST: Final = "清单"
OPERATION: Final = "操作"
#: 增量 operations.
ADD, MODIFY, DELETE = "新增", "修改", "删除"
OPERATIONS: Final = (ADD, MODIFY, DELETE)
#: 清单 keys.
M_SOURCE, M_EXPORTED, M_SNAPSHOT, M_KIND, M_VERSION = "来源", "导出时间", "快照日期", "类型", "版本"
FULL, INCREMENTAL = "全量", "增量"
KIND_EN: Final = {FULL: "full", INCREMENTAL: "incremental"}

ALL_TABLE_NAMES: Final = (MANIFEST, *TABLES)
