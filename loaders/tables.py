"""The registry export's tables and columns (REGISTRY.md), declared as data.

One :class:`Table` per registry table: its Chinese name (the file / sheet name), whether
an export must hold it, its columns with their kind and whether a value is required, and
the columns that make a record's identity.  The readers, the row transform and the
validator all work from these declarations, so a column is spelt once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from ..graph.evaluation_rules import CATEGORIES, INCIDENT_KINDS
from ..graph.vocabulary import (
    COMPOUND_TYPES,
    FORMATIONS,
    LEVELS,
    ORG_KINDS,
    ORG_STATUS,
    POST_TYPES,
    RATING_LISTS,
    SUPERVISION_KINDS,
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

# Column kinds: how a cell is normalised (see records.py).
TEXT, CODE, CODES, DATE, INT, ENUM, ROLE, PII_ID, PII_PHONE, FREE = (
    "text", "code", "codes", "date", "int", "enum", "role", "pii_id", "pii_phone", "free",
)
#: A non-negative number with at most one decimal (评分 得分).
DECIMAL = "decimal"


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = TEXT
    required: bool = False  # a value must be present (the header always must, see Table)
    enum: dict[str, str] | None = None
    header_required: bool = True


@dataclass(frozen=True)
class Table:
    name: str  # 单位
    english: str  # units
    required: bool
    columns: tuple[Column, ...]
    identity: tuple[str, ...]
    extra: dict[str, str] = field(default_factory=dict)

    def column(self, header: str) -> Column:
        return next(c for c in self.columns if c.header == header)

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns)


def _opt(header: str, kind: str = TEXT, enum: dict[str, str] | None = None) -> Column:
    """A column an export may leave out entirely (its cells are then all empty)."""
    return Column(header, kind, False, enum, header_required=False)


MANIFEST: Final = "清单"
OPERATION: Final = "操作"
#: 增量 operations.
ADD, MODIFY, DELETE = "新增", "修改", "删除"
OPERATIONS: Final = (ADD, MODIFY, DELETE)
#: 清单 keys.
M_SOURCE, M_EXPORTED, M_SNAPSHOT, M_KIND, M_VERSION = "来源", "导出时间", "快照日期", "类型", "版本"
FULL, INCREMENTAL = "全量", "增量"
KIND_EN: Final = {FULL: "full", INCREMENTAL: "incremental"}

UNITS = Table(
    "单位", "units", True,
    (
        Column("单位编码", CODE, True),
        Column("名称", TEXT, True),
        Column("层级", ENUM, True, LEVELS),
        Column("上级单位编码", CODE),
        _opt("小区类型", ENUM, COMPOUND_TYPES),
        _opt("户数", INT),
    ),
    ("单位编码",),
)
ORGS = Table(
    "组织", "organisations", True,
    (
        Column("组织编码", CODE, True),
        Column("名称", TEXT, True),
        Column("类型", ENUM, True, ORG_KINDS),
        Column("所在单位编码", CODE, True),
        _opt("隶属组织编码", CODE),
        _opt("依托主体编码", CODES),
        _opt("组建方式", ENUM, FORMATIONS),
        _opt("成立日期", DATE),
        _opt("届满日期", DATE),
        _opt("状态", ENUM, ORG_STATUS),
    ),
    ("组织编码",),
)
PEOPLE = Table(
    "人员", "people", True,
    (
        Column("人员编码", CODE, True),
        Column("姓名", TEXT, True),
        _opt("性别", TEXT),
        _opt("政治面貌", TEXT),
        _opt("党组织编码", CODE),
        _opt("居住单位编码", CODE),
        _opt("身份证号", PII_ID),
        _opt("手机号", PII_PHONE),
    ),
    ("人员编码",),
)
POSTS = Table(
    "任职", "posts", True,
    (
        Column("人员编码", CODE, True),
        Column("组织编码", CODE, True),
        Column("职务", ROLE, True),
        Column("任职类型", ENUM, True, POST_TYPES),
        Column("开始日期", DATE),
        _opt("结束日期", DATE),
    ),
    ("人员编码", "组织编码", "职务", "开始日期"),
)
SUPERVISION = Table(
    "监管", "supervision", False,
    (
        Column("监管方编码", CODE, True),
        Column("被监管方编码", CODE, True),
        Column("监管类型", ENUM, True, SUPERVISION_KINDS),
        _opt("开始日期", DATE),
        _opt("结束日期", DATE),
    ),
    ("监管方编码", "被监管方编码", "监管类型", "开始日期"),
)
CONTRACTS = Table(
    "物业服务", "contracts", False,
    (
        Column("企业编码", CODE, True),
        Column("小区编码", CODE, True),
        _opt("项目名称", TEXT),
        _opt("开始日期", DATE),
        _opt("结束日期", DATE),
    ),
    ("企业编码", "小区编码", "开始日期"),
)
VISITS = Table(
    "走访", "visits", False,
    (
        Column("人员编码", CODE, True),
        Column("组织编码", CODE, True),
        Column("日期", DATE, True),
    ),
    ("人员编码", "组织编码", "日期"),
)
RATINGS = Table(
    "评价", "ratings", False,
    (
        Column("企业编码", CODE, True),
        Column("年度", INT, True),
        _opt("红黑榜", ENUM, RATING_LISTS),
        _opt("信用等级", FREE),
    ),
    ("企业编码", "年度"),
)

# 示范创建 (seed 004 内容四/六): scores, namings, incidents, funding.  指标 and 得分 are
# checked against the category's criteria (graph/evaluation_rules.py) in records.py.
SCORES = Table(
    "评分", "scores", False,
    (
        Column("年度", INT, True),
        Column("评选类别", ENUM, True, CATEGORIES),
        Column("对象编码", CODE, True),
        Column("指标", TEXT, True),
        Column("得分", DECIMAL, True),
        Column("评分组织编码", CODE, True),
    ),
    ("年度", "评选类别", "对象编码", "指标", "评分组织编码"),
)
NAMINGS = Table(
    "命名", "namings", False,
    (
        Column("年度", INT, True),
        Column("评选类别", ENUM, True, CATEGORIES),
        Column("对象编码", CODE, True),
        _opt("命名日期", DATE),
    ),
    ("年度", "评选类别", "对象编码"),
)
INCIDENTS = Table(
    "事件", "incidents", False,
    (
        Column("对象编码", CODE, True),
        Column("类型", ENUM, True, INCIDENT_KINDS),
        Column("日期", DATE, True),
        _opt("说明", TEXT),
    ),
    ("对象编码", "类型", "日期"),
)
FUNDING = Table(
    "经费", "funding", False,
    (
        Column("组织编码", CODE, True),
        Column("年度", INT, True),
        Column("金额", INT, True),
    ),
    ("组织编码", "年度"),
)

#: In dependency order: a table only refers to tables before it (or to itself).
TABLE_ORDER: Final = (UNITS, ORGS, PEOPLE, POSTS, SUPERVISION, CONTRACTS, VISITS, RATINGS,
                      SCORES, NAMINGS, INCIDENTS, FUNDING)
TABLES: Final = {t.name: t for t in TABLE_ORDER}
ALL_TABLE_NAMES: Final = (MANIFEST, *TABLES)
