"""The registry's tables, declared once: every column and every value the graph stores.

One :class:`Table` per registry table (docs/registry.md).  Each :class:`Column` says its
Chinese header (as the export spells it), the record value (graph property) it becomes,
its kind, whether a value is required, the tables a code in it names, its personal-data
class, its display label (Chinese / English) and whether it is part of the record's
identity.  Each table says its place in the graph (:class:`NodeMap` or :class:`RelMap`)
and the values computed from its cells (:class:`Computed`, named hooks).

Everything else is derived from these declarations, so adding a column is one line here
(plus the demo generator, if the demo should fill it):

- the readers' and validator's headers (``loaders/tables.py`` re-exports these tables);
- a record's values and identity (:func:`build`, used by ``loaders/records.py``);
- the properties a relation row carries (``loaders/mapping.py``) and which node tables
  each identity part names (the diff's cascades);
- the state reads (``loaders/state.py``: one registered Cypher text per keyed label/type);
- the review's field list (``loaders/fielddiff.py`` FIELDS) and the display labels
  (``graph/display.py`` FIELDS);
- the demo export's headers (``loaders/demo/export.py``);
- the column tables in docs/registry.md (``python -m redgov.loaders.schema --write-docs``;
  a test fails when they are stale).

Signatures (change detection) leave out a value that is None, except the values listed in
:data:`SIGNED_EMPTY_V1` (the values of the tables as they were before this declaration:
graphs written then keep their signatures).  So a column added with no values changes no
record's signature and the next sync writes nothing new.

>>> T["任职"].key_of({"person": "P1", "org": "O1", "title": "书记", "role": "secretary",
...                   "start": "2021-06-01"})
'P1|O1|secretary|2021-06-01'
>>> T["任职"].key_fields("P1|O1|secretary|2021-06-01")["组织编码"]
'O1'
>>> T["组织"].graph.label, [link.type for link in T["组织"].graph.links]
('Organisation', ['SITS_AT', 'AFFILIATED_UNDER', 'BUILT_IN'])
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from ..graph.evaluation_rules import CATEGORIES, CRITERION_BY_ZH, INCIDENT_KINDS
from ..graph.vocabulary import (
    COMPOUND_TYPES,
    FORMATIONS,
    LABEL_FUNDING,
    LABEL_INCIDENT,
    LABEL_NAMING,
    LABEL_ORGANISATION,
    LABEL_PERSON,
    LABEL_RATING,
    LABEL_SCORE,
    LABEL_UNIT,
    LEVELS,
    ORG_KINDS,
    ORG_STATUS,
    POST_TYPES,
    RATING_LISTS,
    REL,
    STANDING_OTHER,
    STANDINGS,
    SUPERVISION_KINDS,
    normalise_role,
)
from .duplicates import dup_key
from .normalise import clean_code, day_number, mask_id, mask_phone
from .pii import Hasher, normalise_id

__all__ = [
    "CONTRACTS",
    "FUNDING",
    "INCIDENTS",
    "NAMINGS",
    "ORGS",
    "PEOPLE",
    "POSTS",
    "RATINGS",
    "SCORES",
    "SIGNED_EMPTY_V1",
    "SUPERVISION",
    "TABLES",
    "TABLE_ORDER",
    "UNITS",
    "UNSIGNED",
    "VISITS",
    "Column",
    "Computed",
    "Link",
    "NodeMap",
    "RelMap",
    "T",
    "Table",
    "build",
    "display_fields",
    "docs_tables",
    "review_fields",
    "shown_values",
    "signature_values",
]

# Column kinds: how a cell is normalised (see records.py).
TEXT, CODE, CODES, DATE, INT, ENUM, ROLE, PII_ID, PII_PHONE, FREE = (
    "text", "code", "codes", "date", "int", "enum", "role", "pii_id", "pii_phone", "free",
)
#: A non-negative number with at most one decimal (评分 得分).
DECIMAL = "decimal"

#: Personal-data classes (docs/security.md): ``id`` and ``phone`` are never stored or shown
#: raw (only keyed hashes and masked forms); ``name`` is a person's name.
PII_NONE, PII_NAME, PII_ID_CLASS, PII_PHONE_CLASS = "", "name", "id", "phone"

#: The registry tables' Chinese names, for code that names a table (never a literal).
UNIT_T, ORG_T, PERSON_T, POST_T, SUPERVISION_T, CONTRACT_T, VISIT_T, RATING_T = (
    "单位", "组织", "人员", "任职", "监管", "物业服务", "走访", "评价",
)
SCORE_T, NAMING_T, INCIDENT_T, FUNDING_T = "评分", "命名", "事件", "经费"
#: The node tables a retired record takes its relation rows with.
ANCHOR_TABLES: Final = (UNIT_T, ORG_T, PERSON_T)

Cells = dict[str, Any]
Values = dict[str, Any]


@dataclass(frozen=True)
class Column:
    """One registry column.

    ``prop``: the record value (graph property) the parsed cell becomes (None: the cell
    only feeds computed values, e.g. an ID number); ``values``: the record values this
    column yields, in review order (default: ``prop``); ``refs``: the tables a code in it
    names; ``cascade``: a record goes with the referenced record when that one retires;
    ``label``: (Chinese, English) display label of ``prop`` (default: the header and the
    property's words).
    """

    header: str
    kind: str = TEXT
    required: bool = False  # a value must be present (the header always must, see Table)
    enum: dict[str, str] | None = None
    header_required: bool = True
    prop: str | None = None
    identity: bool = False
    refs: tuple[str, ...] = ()
    cascade: bool = True
    pii: str = PII_NONE
    label: tuple[str, str] | None = None
    values: tuple[str, ...] | None = None
    #: the identity part when it is not the value itself (a post: its normalised role)
    key_value: Callable[[Values], Any] | None = None

    @property
    def yields(self) -> tuple[str, ...]:
        if self.values is not None:
            return self.values
        return (self.prop,) if self.prop else ()

    @property
    def labels(self) -> tuple[str, str]:
        return self.label or (self.header, (self.prop or "").replace("_", " "))


@dataclass(frozen=True)
class Computed:
    """A value computed from the row's cells (a named hook), not copied from one cell.

    ``shown``: the review lists it; ``hidden``: the review says only that it changed;
    ``stored``: written to the graph (False: it only enters the signature); ``signed``:
    it enters the signature (False: a value derived only from signed values, a lookup
    key: adding one changes no signature, so an existing graph is not re-versioned).
    """

    name: str
    hook: Callable[[Cells, Values, Hasher | None], Any]
    label: tuple[str, str] | None = None
    shown: bool = True
    hidden: bool = False
    stored: bool = True
    signed: bool = True


@dataclass(frozen=True)
class Link:
    """A structural relation mirroring one value of a node record (a reference column).

    ``targets``: labels the referenced code may name (the first that holds it wins);
    ``many``: the value is a list of codes; ``inbound``: the relation points from the
    referenced node to this one (a company ``RATED`` its rating).
    """

    type: str
    field: str
    targets: tuple[str, ...]
    many: bool = False
    inbound: bool = False


#: The identity property of each versioned label.
IDENTITY: Final = {LABEL_UNIT: "code", LABEL_ORGANISATION: "code", LABEL_PERSON: "code",
                   LABEL_RATING: "key", LABEL_SCORE: "key", LABEL_NAMING: "key",
                   LABEL_INCIDENT: "key", LABEL_FUNDING: "key"}


@dataclass(frozen=True)
class NodeMap:
    table: str
    label: str
    links: tuple[Link, ...] = ()

    @property
    def key(self) -> str:
        return IDENTITY[self.label]


@dataclass(frozen=True)
class RelMap:
    """One relation per row: ``types`` chosen by ``type_field`` (or the only one), from
    the node named by ``src`` to the node named by ``dst``, carrying ``props``."""

    table: str
    types: tuple[str, ...]
    src: str
    src_labels: tuple[str, ...]
    dst: str
    dst_labels: tuple[str, ...]
    props: tuple[str, ...] = ()
    type_field: str | None = None
    #: node tables each identity part names (by position in the key), for cascades.
    key_tables: tuple[tuple[str, ...], ...] = ()


KEY_SEPARATOR: Final = "|"


@dataclass(frozen=True)
class Table:
    name: str  # 单位
    english: str  # units
    required: bool
    columns: tuple[Column, ...]
    graph: NodeMap | RelMap | None = None
    computed: tuple[Computed, ...] = ()
    extra: dict[str, str] = field(default_factory=dict)
    #: values the review lists before the others (an evaluation record: its candidate)
    shown_first: tuple[str, ...] = ()

    def column(self, header: str) -> Column:
        return next(c for c in self.columns if c.header == header)

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns)

    @property
    def identity(self) -> tuple[str, ...]:
        """The headers of the identity columns, in column order."""
        return tuple(c.header for c in self.columns if c.identity)

    @functools.cached_property
    def key_columns(self) -> tuple[Column, ...]:
        """Cached (computed per row by :meth:`key_of`; the columns of a frozen table
        never change)."""
        return tuple(c for c in self.columns if c.identity)

    def key_of(self, values: Values) -> str:
        """The record's identity as the graph stores it (one text; parts joined)."""
        cols = self.key_columns
        if len(cols) == 1:
            return values[cols[0].prop or ""]
        parts = (c.key_value(values) if c.key_value else values[c.prop or ""] for c in cols)
        return KEY_SEPARATOR.join("" if p is None else str(p) for p in parts)

    def key_parts(self, key: str) -> tuple[str, ...]:
        """A stored identity's parts, in identity-column order (the one place a key is
        split: everything else asks by position from :attr:`key_tables` or by name)."""
        return (key,) if len(self.key_columns) == 1 else tuple(key.split(KEY_SEPARATOR))

    def key_fields(self, key: str) -> dict[str, str]:
        """A stored identity, named by its columns' headers."""
        return dict(zip((c.header for c in self.key_columns), self.key_parts(key),
                        strict=False))

    def key_part(self, key: str, prop: str) -> str | None:
        """One identity part, named by the value it comes from (``src``, ``person``…)."""
        for c in self.key_columns:
            if c.prop == prop:
                return self.key_fields(key).get(c.header)
        raise KeyError(f"{prop} is not part of {self.name}'s identity")

    @property
    def key_tables(self) -> tuple[tuple[str, ...], ...]:
        """Per identity part up to the last that names one: the node tables a retiring
        record takes this record with (parts past it name none and are left off)."""
        tables = [c.refs if c.cascade else () for c in self.key_columns]
        while tables and not tables[-1]:
            tables.pop()
        return tuple(tables)

    @property
    def fields(self) -> tuple[str, ...]:
        """Every value a record carries, in review order: the columns' values, then the
        computed values no column lists."""
        listed = [v for c in self.columns for v in c.yields]
        rest = [c.name for c in self.computed if c.name not in listed]
        return tuple(dict.fromkeys([*self.shown_first, *listed, *rest]))


def _col(header: str, kind: str = TEXT, required: bool = False, *,
         prop: str | None = None, enum: dict[str, str] | None = None, opt: bool = False,
         **kw: Any) -> Column:
    """A column; ``opt``: an export may leave its header out (its cells are then empty)."""
    return Column(header, kind, required, enum, not opt, prop=prop, **kw)


# --- computed values (named hooks) ----------------------------------------------------------

def _always_codes(c: Cells, v: Values, _h: Hasher | None) -> Any:
    return v["built_in_codes"] or []


def _term_end_day(c: Cells, v: Values, _h: Hasher | None) -> Any:
    return day_number(v["term_end"])


def _org_status(c: Cells, v: Values, _h: Hasher | None) -> Any:
    return v["status"] or ("active" if v["kind"] else None)


def _standing(c: Cells, v: Values, _h: Hasher | None) -> Any:
    text = v["standing_text"]
    return STANDINGS.get(text or "", STANDING_OTHER) if text else None


def _id_hash(c: Cells, v: Values, h: Hasher | None) -> Any:
    raw = c["身份证号"]
    return h.id_hash(raw) if (raw and h) else None


def _id_masked(c: Cells, v: Values, _h: Hasher | None) -> Any:
    raw = c["身份证号"]
    return mask_id(normalise_id(raw)) if raw else None


def _dup_key(c: Cells, v: Values, _h: Hasher | None) -> Any:
    """duplicate_people's second test as one indexed value (:func:`.duplicates.dup_key`)."""
    return dup_key(v["name"], v["gender"], v["id_masked"])


def _phone_masked(c: Cells, v: Values, _h: Hasher | None) -> Any:
    raw = c["手机号"]
    return mask_phone(raw) if raw else None


def _phone_hash(c: Cells, v: Values, h: Hasher | None) -> Any:
    raw = c["手机号"]
    return h.phone_hash(raw) if (raw and h) else None


def _role(c: Cells, v: Values, _h: Hasher | None) -> Any:
    return normalise_role(v["title"]) if v["title"] else None


def _role_key(v: Values) -> Any:
    """A post is identified by its normalised role (or the title as written)."""
    return v["role"] or clean_code(v["title"])


def _grade(c: Cells, v: Values, _h: Hasher | None) -> Any:
    return v["grade"].upper() if v["grade"] else None


def _criterion(c: Cells, v: Values, _h: Hasher | None) -> Any:
    """The criterion's code (a 删除 row carries only its identity, still a known 指标)."""
    category, name = v["category"], v["criterion"]
    if not category or not name:
        return name
    found = CRITERION_BY_ZH[category].get(name.replace(" ", ""))
    return found.code if found else name


# --- the tables ---------------------------------------------------------------------------

_CODE = ("编码", "code")
_NAME = ("名称", "name")
_KIND = ("类型", "kind")
_DATE = ("日期", "date")
_PARENT = ("上级编码", "parent code")
_COMPANY = ("企业编码", "company")
_PERSON = ("人员编码", "person")
_ORG = ("组织编码", "organisation")
_START, _END = ("开始日期", "start"), ("结束日期", "end")
_CANDIDATE = ("对象编码", "candidate")
_ANY_T = (UNIT_T, ORG_T, PERSON_T)
#: A candidate or an incident's subject: a unit, an organisation or a person (the first
#: label holding the code wins, see apply.py).
_ANY: Final = (LABEL_UNIT, LABEL_ORGANISATION, LABEL_PERSON)

UNITS = Table(
    UNIT_T, "units", True,
    (
        _col("单位编码", CODE, True, prop="code", identity=True, label=_CODE),
        _col("名称", TEXT, True, prop="name", label=_NAME),
        _col("层级", ENUM, True, prop="level", enum=LEVELS),
        _col("上级单位编码", CODE, prop="parent_code", refs=(UNIT_T,), label=_PARENT),
        _col("小区类型", ENUM, prop="compound_type", enum=COMPOUND_TYPES, opt=True),
        _col("户数", INT, prop="households", opt=True),
    ),
    NodeMap(UNIT_T, LABEL_UNIT, (Link(REL.PART_OF, "parent_code", (LABEL_UNIT,)),)),
)
ORGS = Table(
    ORG_T, "organisations", True,
    (
        _col("组织编码", CODE, True, prop="code", identity=True, label=_CODE),
        _col("名称", TEXT, True, prop="name", label=_NAME),
        _col("类型", ENUM, True, prop="kind", enum=ORG_KINDS, label=_KIND),
        _col("所在单位编码", CODE, True, prop="unit_code", refs=(UNIT_T,)),
        _col("隶属组织编码", CODE, prop="parent_code", refs=(ORG_T,), label=_PARENT, opt=True),
        _col("依托主体编码", CODES, prop="built_in_codes", refs=(UNIT_T, ORG_T),
             label=("依托主体编码", "built in"), opt=True),
        _col("组建方式", ENUM, prop="formation", enum=FORMATIONS, opt=True),
        _col("成立日期", DATE, prop="founded", opt=True),
        _col("届满日期", DATE, prop="term_end", opt=True),
        _col("状态", ENUM, prop="status", enum=ORG_STATUS, opt=True),
    ),
    NodeMap(ORG_T, LABEL_ORGANISATION, (
        Link(REL.SITS_AT, "unit_code", (LABEL_UNIT,)),
        Link(REL.AFFILIATED_UNDER, "parent_code", (LABEL_ORGANISATION,)),
        Link(REL.BUILT_IN, "built_in_codes", (LABEL_UNIT, LABEL_ORGANISATION), many=True),
    )),
    (
        Computed("built_in_codes", _always_codes),
        Computed("term_end_day", _term_end_day, shown=False),
        Computed("status", _org_status),
    ),
)
PEOPLE = Table(
    PERSON_T, "people", True,
    (
        _col("人员编码", CODE, True, prop="code", identity=True, label=_CODE),
        _col("姓名", TEXT, True, prop="name", label=_NAME, pii=PII_NAME),
        _col("性别", TEXT, prop="gender", opt=True),
        _col("政治面貌", TEXT, prop="standing_text", values=("standing", "standing_text"),
             label=("政治面貌（原文）", "standing text"), opt=True),
        _col("党组织编码", CODE, prop="party_org_code", refs=(ORG_T,),
             label=("党组织编码", "party organisation"), opt=True),
        _col("居住单位编码", CODE, prop="home_code", refs=(UNIT_T,),
             label=("居住单位编码", "home"), opt=True),
        _col("身份证号", PII_ID, values=("id_masked",), pii=PII_ID_CLASS, opt=True),
        _col("手机号", PII_PHONE, values=("phone_masked",), pii=PII_PHONE_CLASS, opt=True),
    ),
    NodeMap(PERSON_T, LABEL_PERSON, (
        Link(REL.LIVES_IN, "home_code", (LABEL_UNIT,)),
        Link(REL.MEMBER_OF, "party_org_code", (LABEL_ORGANISATION,)),
    )),
    (
        Computed("standing", _standing, ("政治面貌", "standing")),
        Computed("id_hash", _id_hash, ("身份证号", "ID number"), hidden=True),
        Computed("id_masked", _id_masked, ("身份证号（脱敏）", "ID (masked)")),
        # after name, gender and id_masked (the hook reads them); signed through them
        Computed("dup_key", _dup_key, shown=False, signed=False),
        Computed("phone_masked", _phone_masked, ("手机号（脱敏）", "phone (masked)")),
        Computed("phone", _phone_hash, ("手机号", "phone"), shown=False, stored=False),
    ),
)
POSTS = Table(
    POST_T, "posts", True,
    (
        _col("人员编码", CODE, True, prop="person", identity=True, refs=(PERSON_T,),
             label=_PERSON),
        _col("组织编码", CODE, True, prop="org", identity=True, refs=(ORG_T,), label=_ORG),
        _col("职务", ROLE, True, prop="title", identity=True, values=("title", "role"),
             key_value=_role_key),
        _col("任职类型", ENUM, True, prop="type", enum=POST_TYPES, label=("任职类型", "post type")),
        _col("开始日期", DATE, prop="start", identity=True, label=_START),
        _col("结束日期", DATE, prop="end", label=_END, opt=True),
    ),
    RelMap(POST_T, (REL.SERVES_AS, REL.CROSS_APPOINTED_TO), "person", (LABEL_PERSON,),
           "org", (LABEL_ORGANISATION,), type_field="type"),
    (Computed("role", _role, ("职务类别", "role")),),
)
SUPERVISION = Table(
    SUPERVISION_T, "supervision", False,
    (
        _col("监管方编码", CODE, True, prop="src", identity=True, refs=(ORG_T, PERSON_T),
             label=("监管方编码", "supervisor")),
        _col("被监管方编码", CODE, True, prop="dst", identity=True, refs=(ORG_T, UNIT_T),
             label=("被监管方编码", "supervised")),
        _col("监管类型", ENUM, True, prop="kind", identity=True, enum=SUPERVISION_KINDS,
             label=_KIND),
        _col("开始日期", DATE, prop="start", identity=True, label=_START, opt=True),
        _col("结束日期", DATE, prop="end", label=_END, opt=True),
    ),
    RelMap(SUPERVISION_T, (REL.SUPERVISES,), "src", (LABEL_ORGANISATION, LABEL_PERSON),
           "dst", (LABEL_ORGANISATION, LABEL_UNIT)),
)
CONTRACTS = Table(
    CONTRACT_T, "contracts", False,
    (
        _col("企业编码", CODE, True, prop="company", identity=True, refs=(ORG_T,),
             label=_COMPANY),
        _col("小区编码", CODE, True, prop="compound", identity=True, refs=(UNIT_T,)),
        _col("项目名称", TEXT, prop="project", opt=True),
        _col("开始日期", DATE, prop="start", identity=True, label=_START, opt=True),
        _col("结束日期", DATE, prop="end", label=_END, opt=True),
    ),
    RelMap(CONTRACT_T, (REL.MANAGES,), "company", (LABEL_ORGANISATION,),
           "compound", (LABEL_UNIT,)),
)
VISITS = Table(
    VISIT_T, "visits", False,
    (
        _col("人员编码", CODE, True, prop="person", identity=True, refs=(PERSON_T,),
             label=_PERSON),
        _col("组织编码", CODE, True, prop="org", identity=True, refs=(ORG_T,), label=_ORG),
        _col("日期", DATE, True, prop="date", identity=True, label=_DATE),
    ),
    RelMap(VISIT_T, (REL.VISITED,), "person", (LABEL_PERSON,), "org", (LABEL_ORGANISATION,)),
)
RATINGS = Table(
    RATING_T, "ratings", False,
    (
        _col("企业编码", CODE, True, prop="company_code", identity=True, refs=(ORG_T,),
             label=_COMPANY),
        _col("年度", INT, True, prop="year", identity=True),
        _col("红黑榜", ENUM, prop="list", enum=RATING_LISTS, opt=True),
        _col("信用等级", FREE, prop="grade", opt=True),
    ),
    NodeMap(RATING_T, LABEL_RATING, (
        Link(REL.RATED, "company_code", (LABEL_ORGANISATION,), inbound=True),
    )),
    (Computed("grade", _grade),),
)
# 示范创建 (seed 004 内容四/六): scores, namings, incidents, funding.  指标 and 得分 are
# checked against the category's criteria (graph/evaluation_rules.py) in records.py.
SCORES = Table(
    SCORE_T, "scores", False,
    (
        _col("年度", INT, True, prop="year", identity=True),
        _col("评选类别", ENUM, True, prop="category", identity=True, enum=CATEGORIES),
        _col("对象编码", CODE, True, prop="candidate_code", identity=True, refs=_ANY_T,
             label=_CANDIDATE),
        _col("指标", TEXT, True, prop="criterion", identity=True),
        _col("得分", DECIMAL, True, prop="score"),
        # A score goes with its candidate, not with its scorer (the scores stay the record
        # of what was scored even when the scoring office is reorganised).
        _col("评分组织编码", CODE, True, prop="scorer_code", identity=True, refs=(ORG_T,),
             cascade=False, label=("评分组织编码", "scorer")),
    ),
    NodeMap(SCORE_T, LABEL_SCORE, (Link(REL.SCORED, "candidate_code", _ANY, inbound=True),)),
    (Computed("criterion", _criterion),),
    shown_first=("candidate_code",),
)
NAMINGS = Table(
    NAMING_T, "namings", False,
    (
        _col("年度", INT, True, prop="year", identity=True),
        _col("评选类别", ENUM, True, prop="category", identity=True, enum=CATEGORIES),
        _col("对象编码", CODE, True, prop="candidate_code", identity=True, refs=_ANY_T,
             label=_CANDIDATE),
        _col("命名日期", DATE, prop="date", label=_DATE, opt=True),
    ),
    NodeMap(NAMING_T, LABEL_NAMING, (Link(REL.NAMED, "candidate_code", _ANY, inbound=True),)),
    shown_first=("candidate_code",),
)
INCIDENTS = Table(
    INCIDENT_T, "incidents", False,
    (
        _col("对象编码", CODE, True, prop="target_code", identity=True, refs=_ANY_T,
             label=("对象编码", "subject")),
        _col("类型", ENUM, True, prop="kind", identity=True, enum=INCIDENT_KINDS, label=_KIND),
        _col("日期", DATE, True, prop="date", identity=True, label=_DATE),
        _col("说明", TEXT, prop="note", opt=True),
    ),
    NodeMap(INCIDENT_T, LABEL_INCIDENT, (
        Link(REL.HAD_INCIDENT, "target_code", _ANY, inbound=True),
    )),
)
FUNDING = Table(
    FUNDING_T, "funding", False,
    (
        _col("组织编码", CODE, True, prop="org_code", identity=True, refs=(ORG_T,), label=_ORG),
        _col("年度", INT, True, prop="year", identity=True),
        _col("金额", INT, True, prop="amount"),
    ),
    NodeMap(FUNDING_T, LABEL_FUNDING, (
        Link(REL.FUNDED, "org_code", (LABEL_ORGANISATION,), inbound=True),
    )),
)

#: In dependency order: a table only refers to tables before it (or to itself).
TABLE_ORDER: Final = (UNITS, ORGS, PEOPLE, POSTS, SUPERVISION, CONTRACTS, VISITS, RATINGS,
                      SCORES, NAMINGS, INCIDENTS, FUNDING)
TABLES: Final = {t.name: t for t in TABLE_ORDER}
T: Final = TABLES

#: The values each table signed before this declaration existed, None included: their
#: None stays in the signature, so graphs written earlier keep their signatures.  Frozen
#: history — never add to it: a value not listed enters the signature only with a value.
SIGNED_EMPTY_V1: Final[dict[str, frozenset[str]]] = {
    UNIT_T: frozenset({"code", "name", "level", "parent_code", "compound_type", "households"}),
    ORG_T: frozenset({"code", "name", "kind", "unit_code", "parent_code", "built_in_codes",
                      "formation", "founded", "term_end", "term_end_day", "status"}),
    PERSON_T: frozenset({"code", "name", "gender", "standing", "standing_text",
                         "party_org_code", "home_code", "id_hash", "id_masked",
                         "phone_masked", "phone"}),
    POST_T: frozenset({"person", "org", "title", "role", "type", "start", "end"}),
    SUPERVISION_T: frozenset({"src", "dst", "kind", "start", "end"}),
    CONTRACT_T: frozenset({"company", "compound", "project", "start", "end"}),
    VISIT_T: frozenset({"person", "org", "date"}),
    RATING_T: frozenset({"company_code", "year", "list", "grade"}),
    SCORE_T: frozenset({"candidate_code", "year", "category", "criterion", "score",
                        "scorer_code"}),
    NAMING_T: frozenset({"candidate_code", "year", "category", "date"}),
    INCIDENT_T: frozenset({"target_code", "kind", "date", "note"}),
    FUNDING_T: frozenset({"org_code", "year", "amount"}),
}


Plan = tuple[tuple[tuple[str, str], ...], tuple[Computed, ...], frozenset[str]]
_PLANS: dict[str, tuple[tuple[Column, ...], Plan]] = {}


def _plan(table: Table) -> Plan:
    """(plain (prop, header) pairs, computed hooks, values signed when None), cached per
    table while its columns are the same object (a test may declare one more)."""
    cached = _PLANS.get(table.name)
    if cached is not None and cached[0] is table.columns:
        return cached[1]
    plan = (tuple((c.prop, c.header) for c in table.columns if c.prop), table.computed,
            SIGNED_EMPTY_V1.get(table.name, frozenset()))
    _PLANS[table.name] = (table.columns, plan)
    return plan


def build(table: Table, cells: Cells, hasher: Hasher | None
          ) -> tuple[str, Values, Values]:
    """(identity, stored values, signature-only values) of one row's parsed cells."""
    plain, computed, _ = _plan(table)
    values: Values = {prop: cells[header] for prop, header in plain}
    extra: Values = {}
    for comp in computed:
        value = comp.hook(cells, values, hasher)
        if comp.stored:
            values[comp.name] = value
        else:
            extra[comp.name] = value
    return table.key_of(values), values, extra


#: Per table, the computed values left out of its signature (``Computed.signed`` False).
UNSIGNED: Final[dict[str, frozenset[str]]] = {
    t.name: frozenset(c.name for c in t.computed if not c.signed) for t in TABLE_ORDER}


def signature_values(table: str, values: Values, extra: Values) -> Values:
    """What a record's signature covers: every value but the unsigned ones
    (:data:`UNSIGNED`), and a None only when :data:`SIGNED_EMPTY_V1` lists it (a column
    added later, empty, changes nothing)."""
    signed = SIGNED_EMPTY_V1.get(table, frozenset())
    unsigned = UNSIGNED.get(table, frozenset())
    out = {k: v for k, v in values.items()
           if (v is not None or k in signed) and k not in unsigned}
    out.update((k, v) for k, v in extra.items() if v is not None or k in signed)
    return out


def review_fields(table: Table) -> tuple[str, ...]:
    """The values a reviewer sees, in column order (computed-only values that are not
    shown, like ``term_end_day``, left out)."""
    hidden_from_review = {c.name for c in table.computed if not c.shown}
    return tuple(f for f in table.fields if f not in hidden_from_review)


def shown_values(table: Table) -> tuple[str, ...]:
    """The values a person may see of a record (the review's, hidden ones left out)."""
    hidden = hidden_fields()
    return tuple(f for f in review_fields(table) if f not in hidden)


def hidden_fields() -> frozenset[str]:
    return frozenset(c.name for t in TABLE_ORDER for c in t.computed if c.hidden)


def display_fields() -> dict[str, tuple[str, str]]:
    """Property → (Chinese, English) label, from every table's columns and computed values.

    A property shared by several tables has one label (checked at import: the same name
    with two labels is a declaration error)."""
    out: dict[str, tuple[str, str]] = {}
    for table in TABLE_ORDER:
        for col in table.columns:
            if col.prop:
                _one_label(out, col.prop, col.labels, table.name)
        for comp in table.computed:
            if comp.label is not None:
                _one_label(out, comp.name, comp.label, table.name)
    return out


def _one_label(out: dict[str, tuple[str, str]], name: str, label: tuple[str, str],
               table: str) -> None:
    if out.setdefault(name, label) != label:
        raise ValueError(f"{table}: value {name} labelled {label}, elsewhere {out[name]}")


display_fields()  # the declaration check: one label per property name


# --- documentation -----------------------------------------------------------------------

DOC_BEGIN = "<!-- schema:columns begin (python -m redgov.loaders.schema --write-docs) -->"
DOC_END = "<!-- schema:columns end -->"
_KIND_ZH: Final = {
    TEXT: "文本", CODE: "编码", CODES: "编码列表（;分隔）", DATE: "日期", INT: "整数",
    ENUM: "枚举", ROLE: "职务", PII_ID: "身份证号", PII_PHONE: "手机号", FREE: "文本",
    DECIMAL: "一位小数",
}
_PII_ZH: Final = {PII_NONE: "", PII_NAME: "姓名", PII_ID_CLASS: "身份证号（只存脱敏值和密钥摘要）",
                  PII_PHONE_CLASS: "手机号（只存脱敏值）"}


def _doc_table(table: Table) -> list[str]:
    rows = [f"#### {table.name} ({table.english})", "",
            "| 列 | 必填 | 类型 | 图属性 | 指向 | 身份 | 个人信息 | 显示名 (zh / en) |",
            "|---|---|---|---|---|---|---|---|"]
    for c in table.columns:
        must = "是" if c.required else ("列可省略" if not c.header_required else "")
        kind = _KIND_ZH[c.kind]
        if c.enum:
            kind += "：" + "、".join(c.enum)
        props = "、".join(f"`{v}`" for v in c.yields) or "—"
        zh, en = c.labels if c.prop else ("", "")
        rows.append(f"| `{c.header}` | {must} | {kind} | {props} | {'、'.join(c.refs)} | "
                    f"{'是' if c.identity else ''} | {_PII_ZH[c.pii]} | "
                    f"{f'{zh} / {en}' if zh else ''} |")
    computed = [c for c in table.computed if c.name not in {p for col in table.columns
                                                            if (p := col.prop)}]
    if computed:
        names = "、".join(f"`{c.name}`" + ("" if c.stored else "（只入签名）")
                         + ("" if c.signed else "（不入签名）") for c in computed)
        rows += ["", f"计算值：{names}。"]
    return [*rows, ""]


def docs_tables() -> str:
    """The generated column tables (docs/registry.md, between the markers)."""
    lines = [DOC_BEGIN, ""]
    for table in TABLE_ORDER:
        lines += _doc_table(table)
    return "\n".join([*lines, DOC_END])


REGISTRY_DOC: Final = Path(__file__).resolve().parent.parent / "docs" / "registry.md"


def write_docs(path: Path = REGISTRY_DOC) -> bool:
    """Rewrite the generated part of ``path``; True when it changed."""
    text = path.read_text(encoding="utf-8")
    head, _, rest = text.partition(DOC_BEGIN)
    _, _, tail = rest.partition(DOC_END)
    new = head + docs_tables() + tail
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


if __name__ == "__main__":  # pragma: no cover - a maintainer's command
    if "--write-docs" in sys.argv:
        print("updated" if write_docs() else "up to date", REGISTRY_DOC)
    else:
        print(docs_tables())
