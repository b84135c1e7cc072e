"""Row → record: one registry row normalised into the values the graph stores (pure).

:func:`to_record` checks what one row can tell on its own (required values,
enumerations, dates, end before start) and returns a :class:`Record` — identity ``key``,
English-named ``values``, the change-detection ``sig`` — or the row's issues.  Checks
that need other rows (duplicates, references, levels) live in ``validate.py``.

>>> from .tables import UNITS
>>> rec, issues, _ = to_record(UNITS, 2, {"单位编码": " HL01 ", "名称": "湖里区", "层级": "区",
...     "上级单位编码": "XM"}, None, None)
>>> rec.key, rec.values["level"], issues
('HL01', 'district', [])
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from typing import Any

from ..graph.vocabulary import STANDING_OTHER, STANDINGS, normalise_role
from .normalise import (
    BadValue,
    clean_code,
    clean_text,
    day_number,
    mask_id,
    mask_phone,
    parse_date,
    parse_int,
    split_codes,
)
from .pii import Hasher, normalise_id
from .report import Issue
from .tables import (
    CODE,
    CODES,
    DATE,
    DELETE,
    ENUM,
    FREE,
    INT,
    OPERATION,
    OPERATIONS,
    PII_ID,
    PII_PHONE,
    Column,
    Table,
)

__all__ = ["Record", "signature", "to_record"]


@dataclass(frozen=True)
class Record:
    table: str
    row: int
    key: str
    values: dict[str, Any]
    sig: str
    op: str | None  # None for 全量 rows; 新增/修改/删除 for 增量 rows

    @property
    def deleted(self) -> bool:
        return self.op == DELETE


def signature(values: dict[str, Any]) -> str:
    """16 hex digits of BLAKE2b over the normalised values (keys sorted).

    ``repr`` of the sorted items is exact for the value types a record holds (str, int,
    None, lists of str) and several times cheaper than JSON at a million rows.
    """
    text = repr(sorted(values.items()))
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def _shown(column: Column, raw: Any) -> str:
    """The cell as an error shows it; personal data masked."""
    text = clean_text(raw)
    if column.kind == PII_ID:
        return mask_id(normalise_id(text))
    if column.kind == PII_PHONE:
        return mask_phone(clean_code(text))
    return text


def _parse(column: Column, raw: Any) -> Any:
    kind = column.kind
    if kind == CODE:
        return clean_code(raw) or None
    if kind == CODES:
        return split_codes(raw)
    if kind == DATE:
        return parse_date(raw)
    if kind == INT:
        return parse_int(raw)
    if kind == ENUM:
        text = clean_code(raw)
        if not text:
            return None
        assert column.enum is not None
        value = column.enum.get(text) or column.enum.get(unicodedata.normalize("NFKC", text))
        if value is None:
            allowed = "、".join(column.enum)
            raise BadValue(
                f"不是允许的取值（{allowed}）", f"not one of the allowed values ({allowed})"
            )
        return value
    if kind in (PII_ID, PII_PHONE, FREE):
        return clean_code(raw) or None
    return clean_text(raw) or None  # TEXT, ROLE


def to_record(
    table: Table, row: int, raw: dict[str, Any], op_required: bool | None, hasher: Hasher | None
) -> tuple[Record | None, list[Issue], list[Issue]]:
    """Normalise one row: (record or None, errors, warnings).

    ``op_required`` is True for 增量 exports (the ``操作`` column decides what the row
    does); a ``删除`` row only needs its identity columns.
    """
    errors: list[Issue] = []
    warnings: list[Issue] = []
    name = table.name

    def issue(column: str | None, value: Any, zh: str, en: str) -> Issue:
        return Issue(name, row, column, value, zh, en)

    op: str | None = None
    if op_required:
        op = clean_code(raw.get(OPERATION))
        if op not in OPERATIONS:
            errors.append(issue(
                OPERATION, clean_text(raw.get(OPERATION)),
                "操作应为新增、修改或删除",
                "操作 must be 新增 (add), 修改 (modify) or 删除 (delete)",
            ))
            op = None
    deleting = op == DELETE
    cells: dict[str, Any] = {}
    for column, header, is_key in _columns(table):
        if deleting and not is_key:
            cells[header] = None
            continue
        rawv = raw.get(header)
        if rawv is None or rawv == "":
            value = [] if column.kind == CODES else None
        else:
            try:
                value = _parse(column, rawv)
            except BadValue as exc:
                errors.append(issue(header, _shown(column, rawv), exc.zh, exc.en))
                continue
        if column.required and (value is None or value == "" or value == []):
            errors.append(issue(header, "", "必填项为空", "a required value is empty"))
            continue
        cells[header] = value
    if errors:
        return None, errors, warnings
    build = _BUILDERS[table.english]
    key, values, extra_sig = build(cells, hasher)
    for header, zh, en in _end_checks(table.english, values):
        errors.append(issue(header, clean_text(raw.get(header)), zh, en))
    if table.english == "posts" and values["role"] is None and op != DELETE:
        warnings.append(issue(
            "职务", values["title"], "职务无法归入标准角色，已按原文保存",
            "role not recognised: kept as written, with no normalised role",
        ))
    if errors:
        return None, errors, warnings
    sig = signature({**values, **extra_sig})
    return Record(table.name, row, key, values, sig, op), errors, warnings


_COLUMN_PLANS: dict[str, tuple[tuple[Column, str, bool], ...]] = {}


def _columns(table: Table) -> tuple[tuple[Column, str, bool], ...]:
    plan = _COLUMN_PLANS.get(table.name)
    if plan is None:
        plan = tuple((c, c.header, c.header in table.identity) for c in table.columns)
        _COLUMN_PLANS[table.name] = plan
    return plan


def _end_checks(english: str, v: dict[str, Any]) -> list[tuple[str, str, str]]:
    pairs = {
        "posts": ("start", "end", "结束日期"),
        "supervision": ("start", "end", "结束日期"),
        "contracts": ("start", "end", "结束日期"),
        "organisations": ("founded", "term_end", "届满日期"),
    }.get(english)
    if pairs is None:
        return []
    start, end, header = pairs
    if v.get(start) and v.get(end) and v[end] < v[start]:
        return [(header, "结束日期早于开始日期", "the end date is before the start date")]
    return []


def _join(*parts: Any) -> str:
    return "|".join("" if p is None else str(p) for p in parts)


Built = tuple[str, dict[str, Any], dict[str, Any]]


def _unit(c: dict[str, Any], _h: Hasher | None) -> Built:
    values = {
        "code": c["单位编码"], "name": c["名称"], "level": c["层级"],
        "parent_code": c["上级单位编码"], "compound_type": c["小区类型"], "households": c["户数"],
    }
    return c["单位编码"], values, {}


def _org(c: dict[str, Any], _h: Hasher | None) -> Built:
    values = {
        "code": c["组织编码"], "name": c["名称"], "kind": c["类型"],
        "unit_code": c["所在单位编码"], "parent_code": c["隶属组织编码"],
        "built_in_codes": c["依托主体编码"] or [], "formation": c["组建方式"],
        "founded": c["成立日期"], "term_end": c["届满日期"],
        "term_end_day": day_number(c["届满日期"]),
        "status": c["状态"] or ("active" if c["类型"] else None),
    }
    return c["组织编码"], values, {}


def _person(c: dict[str, Any], h: Hasher | None) -> Built:
    standing_text = c["政治面貌"]
    standing = STANDINGS.get(standing_text or "", STANDING_OTHER) if standing_text else None
    raw_id, raw_phone = c["身份证号"], c["手机号"]
    values = {
        "code": c["人员编码"], "name": c["姓名"], "gender": c["性别"],
        "standing": standing, "standing_text": standing_text,
        "party_org_code": c["党组织编码"], "home_code": c["居住单位编码"],
        "id_hash": h.id_hash(raw_id) if (raw_id and h) else None,
        "id_masked": mask_id(normalise_id(raw_id)) if raw_id else None,
        "phone_masked": mask_phone(raw_phone) if raw_phone else None,
    }
    extra = {"phone": h.phone_hash(raw_phone) if (raw_phone and h) else None}
    return c["人员编码"], values, extra


def _post(c: dict[str, Any], _h: Hasher | None) -> Built:
    title = c["职务"]
    role = normalise_role(title) if title else None
    role_key = role or clean_code(title)
    values = {
        "person": c["人员编码"], "org": c["组织编码"], "title": title, "role": role,
        "type": c["任职类型"], "start": c["开始日期"], "end": c["结束日期"],
    }
    return _join(c["人员编码"], c["组织编码"], role_key, c["开始日期"]), values, {}


def _supervision(c: dict[str, Any], _h: Hasher | None) -> Built:
    values = {
        "src": c["监管方编码"], "dst": c["被监管方编码"], "kind": c["监管类型"],
        "start": c["开始日期"], "end": c["结束日期"],
    }
    key = _join(c["监管方编码"], c["被监管方编码"], c["监管类型"], c["开始日期"])
    return key, values, {}


def _contract(c: dict[str, Any], _h: Hasher | None) -> Built:
    values = {
        "company": c["企业编码"], "compound": c["小区编码"], "project": c["项目名称"],
        "start": c["开始日期"], "end": c["结束日期"],
    }
    return _join(c["企业编码"], c["小区编码"], c["开始日期"]), values, {}


def _visit(c: dict[str, Any], _h: Hasher | None) -> Built:
    values = {"person": c["人员编码"], "org": c["组织编码"], "date": c["日期"]}
    return _join(c["人员编码"], c["组织编码"], c["日期"]), values, {}


def _rating(c: dict[str, Any], _h: Hasher | None) -> Built:
    grade = c["信用等级"]
    values = {
        "company_code": c["企业编码"], "year": c["年度"], "list": c["红黑榜"],
        "grade": grade.upper() if grade else None,
    }
    return _join(c["企业编码"], c["年度"]), values, {}


_BUILDERS = {
    "units": _unit, "organisations": _org, "people": _person, "posts": _post,
    "supervision": _supervision, "contracts": _contract, "visits": _visit, "ratings": _rating,
}
