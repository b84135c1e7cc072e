"""Row → record: one registry row normalised into the values the graph stores (pure).

:func:`to_record` checks what one row can tell on its own (required values,
enumerations, dates, end before start) and returns a :class:`Record` — identity ``key``,
English-named ``values``, the change-detection ``sig`` — or the row's issues.  The values
come from the table's declaration (:func:`.schema.build`: plain columns, named hooks).  Checks
that need other rows (duplicates, references, levels) live in ``validate.py``.

>>> from .tables import UNITS
>>> rec, issues, _ = to_record(UNITS, 2, {"单位编码": " HL01 ", "名称": "湖里区", "层级": "区",
...     "上级单位编码": "XM"}, None, None)
>>> rec.key, rec.values["level"], issues
('HL01', 'district', [])
"""

from __future__ import annotations

import functools
import hashlib
import operator
import re
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..graph.evaluation_rules import CRITERIA, CRITERION_BY_ZH
from .normalise import (
    BadValue,
    clean_code,
    clean_text,
    mask_id,
    mask_phone,
    parse_date,
    parse_int,
    split_codes,
)
from .pii import Hasher, find_pii, id_check_digit, id_shape_ok, normalise_id
from .read import FORMULAS, ROW_ERROR, Formula
from .report import Issue
from .schema import PII_NONE, SIGNED_EMPTY_V1, UNSIGNED, build, signature_values
from .tables import (
    CODE,
    CODES,
    DATE,
    DECIMAL,
    DELETE,
    ENUM,
    FREE,
    INT,
    OPERATION,
    OPERATIONS,
    PII_ID,
    PII_PHONE,
    ROLE,
    TEXT,
    Column,
    Table,
)

__all__ = ["Record", "new_record", "signature", "to_record"]


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


def new_record(table: str, row: int, key: str, values: dict[str, Any], sig: str,
               op: str | None) -> Record:
    """``Record(...)`` without the frozen dataclass's ``__init__`` (one
    ``object.__setattr__`` per field: twice the cost, at millions of records read back
    from the spool)."""
    rec = object.__new__(Record)
    rec.__dict__.update(table=table, row=row, key=key, values=values, sig=sig, op=op)
    return rec


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


# C0 controls but tab/newline/return, DEL: never part of a registry value (NUL breaks engines).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Eleven or more digits (any width), maybe grouped: worth a closer look for PII (a date
# such as 2024-03-01 is ten characters and does not qualify).
_LONG_NUMBER = re.compile(r"[0-9\uff10-\uff19][0-9\uff10-\uff19 \-]{10,}")
#: Columns where a number shaped like an ID or phone is a misplaced value (docs/registry.md).
_PII_CHECKED = (TEXT, ROLE, ENUM, FREE, INT)
GENDERS = ("男", "女")
#: 政治面貌 as registries spell it: the CPC's, the eight other parties', the league's, none.
STANDING_FORMS = (
    "中共党员", "中共预备党员", "共青团员", "群众", "无党派人士", "民革党员", "民盟盟员",
    "民建会员", "民进会员", "农工党党员", "致公党党员", "九三学社社员", "台盟盟员",
)
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_GRADE = re.compile(r"^[A-E]{1,3}[+-]?$")
#: End dates this many years past today are kept but warned about (a typo, or 9999-12-31).
FAR_FUTURE_YEARS = 50


_CHECKED_HEADERS: dict[str, tuple[tuple[Column, ...], tuple[str, ...]]] = {}


def _checked_headers(table: Table) -> tuple[str, ...]:
    cached = _CHECKED_HEADERS.get(table.name)
    if cached is not None and cached[0] is table.columns:
        return cached[1]
    headers = tuple(c.header for c in table.columns if c.kind in _PII_CHECKED)
    _CHECKED_HEADERS[table.name] = (table.columns, headers)
    if len(headers) > 1:
        _CHECKED_GETTERS[headers] = operator.itemgetter(*headers)
    elif headers:
        _CHECKED_GETTERS[headers] = _one_getter(headers[0])
    return headers


#: checked headers → a getter of their cells as a tuple (:func:`_cell_problems`)
_CHECKED_GETTERS: dict[tuple[str, ...], Callable[[Any], tuple[Any, ...]]] = {}


def _one_getter(header: str) -> Callable[[Any], tuple[Any, ...]]:
    def get(raw: Any) -> tuple[Any, ...]:
        return (raw[header],)
    return get


def _cell_problems(
    table: Table, raw: dict[Any, Any], plan: ColumnPlan,
    issue: Any,
) -> list[Issue]:
    """Formula cells without a value, control characters, personal data out of place.

    Each check first looks at the whole row joined (one C-level join and scan) and only
    then at the cells, so a clean row costs two joins and two regex searches.
    """
    errors: list[Issue] = []
    if FORMULAS in raw:
        for _column, header, *_ in plan:
            value = raw.get(header)
            if isinstance(value, Formula):
                errors.append(issue(
                    header, value.ref,
                    f"公式单元格 {value.ref} 没有计算结果（请在 Excel 中打开并保存后再导出）",
                    f"formula cell {value.ref} has no value computed by Excel "
                    "(open and save the workbook in Excel, then export again)",
                ))
    try:
        joined = "\x1f".join(raw.values())  # CSV rows: all str, one C-level join
    except TypeError:  # spreadsheet values, markers
        joined = "\x1f".join(v for v in raw.values() if type(v) is str)
    if _CONTROL.search(joined):  # then judge the known cells (unknown columns are ignored)
        for column, header, *_ in plan:
            value = raw.get(header)
            if type(value) is str and _CONTROL.search(value):
                what = "NUL 字符" if "\x00" in value else "控制字符"
                errors.append(issue(
                    header, _shown(column, _CONTROL.sub("?", value)),
                    f"含有{what}，不是有效的取值",
                    "contains a NUL or control character",
                ))
    # Only the checked columns' cells: a match can only come from one of them (the
    # separator is not part of a number), and the ID / phone / code columns that make most
    # rows' text long-numbered are not scanned twice.
    checked = _checked_headers(table)
    getter = _CHECKED_GETTERS.get(checked)
    try:  # CSV rows: every checked cell present and text, one C-level gather and join
        scanned = "\x1f".join(getter(raw)) if getter is not None else ""
    except (KeyError, TypeError):  # a short row, spreadsheet values
        scanned = "\x1f".join(
            [value for header in checked if type(value := raw.get(header)) is str])
    if scanned and _LONG_NUMBER.search(scanned):
        for header in checked:
            value = raw.get(header)
            if type(value) is not str or not _LONG_NUMBER.search(value):
                continue
            found = find_pii(value)
            if found:
                zh = "身份证号" if found == "id" else "手机号"
                errors.append(issue(
                    header, value,
                    f"疑似{zh}出现在“{header}”列（行内容错位？个人信息只可填在{zh}列）",
                    f"a value shaped like {'an ID number' if found == 'id' else 'a phone'}"
                    f" in column {header} (a shifted row?); personal data belongs in its "
                    "own column only",
                ))
    return errors


_END_HEADERS = {"posts": ("结束日期",), "supervision": ("结束日期",),
                "contracts": ("结束日期",), "organisations": ("届满日期",)}


def _this_year() -> int:
    return _today_cached(int(time.time()) // 3600).year


_GENDER_SET = frozenset(GENDERS)
_STANDING_SET = frozenset(STANDING_FORMS)
#: ``sum(weight × digit)`` from the digits' code points: the weights' sum times ``ord("0")``
#: taken off once instead of an ``int()`` per digit (:func:`_check_digit`).
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ZERO_SUM = ord("0") * sum(_WEIGHTS)
#: birth date text (``YYYYMMDD``) → that date, or None when there is no such day; bounded.
_BIRTHS: dict[str, date | None] = {}
_BIRTHS_MAX = 200_000


def _check_digit(first17: str) -> str:
    """:func:`.pii.id_check_digit`, four times cheaper for ASCII digits (every row that
    reaches it has passed :func:`_id_shape_ok`); anything else takes the general one."""
    if first17.isascii() and first17.isdigit() and len(first17) == 17:
        return _CHECK[(sum(map(operator.mul, first17.encode(), _WEIGHTS)) - _ZERO_SUM) % 11]
    return id_check_digit(first17)


_CHECK = "10X98765432"


def _id_shape_ok(v: str) -> bool:
    """:func:`.pii.id_shape_ok` for an ASCII value, with each birth date parsed once per
    scan (a province holds millions of ID numbers but some tens of thousands of birth
    days); the general one otherwise."""
    if not (len(v) == 18 and v.isascii() and v.isalnum() and not v.endswith("x")):
        return id_shape_ok(v)
    if not (v[:17].isdigit() and (v[17].isdigit() or v[17] == "X")):
        return False
    text = v[6:14]
    if text in _BIRTHS:
        born = _BIRTHS[text]
    else:
        try:
            born = date(int(text[:4]), int(text[4:6]), int(text[6:]))
        except ValueError:
            born = None
        if len(_BIRTHS) < _BIRTHS_MAX:
            _BIRTHS[text] = born
    return born is not None and born.year >= 1900 and born <= _today_cached(
        int(time.time()) // 3600)


@functools.lru_cache(maxsize=1)
def _today_cached(_hour: int) -> date:
    return date.today()


def _light_checks(table: Table, cells: dict[str, Any], issue: Any
                  ) -> tuple[list[Issue], list[Issue]]:
    """Accepted forms of the lightly checked columns; ID check digit; counts and years."""
    errors: list[Issue] = []
    warnings: list[Issue] = []
    english = table.english
    if english == "people":
        gender = cells.get("性别")
        if gender and gender not in _GENDER_SET:
            errors.append(issue("性别", gender, "性别应为“男”“女”或留空",
                                "性别 must be 男, 女 or empty"))
        standing = cells.get("政治面貌")
        if standing and standing not in _STANDING_SET:
            errors.append(issue(
                "政治面貌", standing, "不是认可的政治面貌（如中共党员、群众、民盟盟员）",
                "not a recognised 政治面貌 (e.g. 中共党员, 群众, 民盟盟员)",
            ))
        raw_id = cells.get("身份证号")
        if raw_id:
            v = raw_id if len(raw_id) == 18 and raw_id.isalnum() and raw_id.isascii() \
                and not raw_id.endswith("x") else normalise_id(raw_id)
            if not _id_shape_ok(v):
                errors.append(issue("身份证号", mask_id(v),
                                    "身份证号应为 18 位（17 位数字含有效出生日期，末位数字或 X）",
                                    "an ID number has 18 characters: 17 digits with a valid "
                                    "birth date, then a digit or X"))
            elif _check_digit(v[:17]) != v[17]:
                warnings.append(issue("身份证号", mask_id(v), "身份证号校验位不符（GB 11643）",
                                      "the ID number's check digit is wrong (GB 11643)"))
        phone = cells.get("手机号")
        if phone and not _MOBILE.fullmatch(phone) and not _MOBILE.fullmatch(
                clean_code(phone).replace("-", "")):
            warnings.append(issue("手机号", mask_phone(clean_code(phone)),
                                  "手机号不是 11 位手机号码", "not an 11-digit mobile number"))
    elif english == "units" and cells.get("户数") is not None and cells["户数"] < 0:
        errors.append(issue("户数", str(cells["户数"]), "户数不能为负数",
                            "the household count cannot be negative"))
    elif english in ("scores", "namings", "funding"):
        year = cells.get("年度")
        if year is not None and not 1949 <= year <= _this_year() + 1:
            errors.append(issue("年度", str(year), "年度不合理", "implausible year"))
        if english == "funding" and cells.get("金额") is not None and cells["金额"] < 0:
            errors.append(issue("金额", str(cells["金额"]), "经费金额不能为负数",
                                "a funding amount cannot be negative"))
        if english == "scores" and cells.get("评选类别") and cells.get("指标"):
            category, name = cells["评选类别"], cells["指标"]
            criterion = CRITERION_BY_ZH[category].get(name.replace(" ", ""))
            if criterion is None:
                allowed = "、".join(c.zh for c in CRITERIA[category])
                errors.append(issue("指标", name, f"不是该评选类别的指标（{allowed}）",
                                    f"not a criterion of this category ({allowed})"))
            elif cells.get("得分") is not None and cells["得分"] > criterion.maximum:
                errors.append(issue(
                    "得分", f"{cells['得分']:g}",
                    f"得分超过该指标（{criterion.zh}）的满分 {criterion.maximum} 分",
                    f"the score is above {criterion.zh}'s maximum of {criterion.maximum}"))
    elif english == "ratings":
        year = cells.get("年度")
        if year is not None and not 1949 <= year <= _this_year() + 1:
            errors.append(issue("年度", str(year), "年度不合理", "implausible year"))
        grade = cells.get("信用等级")
        if grade and not _GRADE.match(grade.upper()):
            errors.append(issue("信用等级", grade, "信用等级应为字母等级（如 A、B、C、AA）",
                                "信用等级 must be a letter grade (A, B, C, AA, …)"))
    for header in _END_HEADERS.get(english, ()):
        end = cells.get(header)
        if not end:
            continue
        limit = _this_year() + FAR_FUTURE_YEARS
        if int(end[:4]) > limit:
            warnings.append(issue(header, end, f"结束日期远在 {limit} 年之后，请核对",
                                  f"an end date past {limit}: please check"))
    return errors, warnings


_BAD_SCORE = ("得分应为非负数，最多一位小数", "a score is ≥ 0 with at most one decimal")
_ONE_DECIMAL = re.compile(r"\d+(\.\d0*)?|\d*\.\d0*")


def parse_score(raw: Any) -> float:
    """得分: a non-negative number with at most one decimal (``28.5``, ``２８．５``, 28.5).

    >>> parse_score(" 28.5 "), parse_score(30), parse_score("7.50")
    (28.5, 30.0, 7.5)
    """
    if isinstance(raw, bool):
        raise BadValue("应为数字", "expected a number")
    if isinstance(raw, int | float):
        value = float(raw)
        if value < 0 or abs(value * 10 - round(value * 10)) > 1e-9:
            raise BadValue(*_BAD_SCORE)
        return round(value, 1)
    text = unicodedata.normalize("NFKC", clean_code(raw))
    if not _ONE_DECIMAL.fullmatch(text):
        raise BadValue(*_BAD_SCORE)
    return round(float(text), 1)


def _code_or_none(raw: Any) -> str | None:
    return clean_code(raw) or None


def _text_or_none(raw: Any) -> str | None:
    return clean_text(raw) or None


def _enum_parser(enum: dict[str, str]) -> Callable[[Any], str | None]:
    allowed = "、".join(enum)
    lookup = enum.get

    def parse(raw: Any) -> str | None:
        text = clean_code(raw)
        if not text:
            return None
        value = lookup(text) or lookup(unicodedata.normalize("NFKC", text))
        if value is None:
            raise BadValue(
                f"不是允许的取值（{allowed}）", f"not one of the allowed values ({allowed})"
            )
        return value

    return parse


_PARSERS: dict[str, Callable[[Any], Any]] = {
    DECIMAL: parse_score, CODE: _code_or_none, CODES: split_codes, DATE: parse_date,
    INT: parse_int, PII_ID: _code_or_none, PII_PHONE: _code_or_none, FREE: _code_or_none,
}


def _parser(column: Column) -> Callable[[Any], Any]:
    """The one function that normalises a non-empty cell of ``column`` (chosen once per
    table, not per cell)."""
    if column.kind == ENUM:
        assert column.enum is not None
        return _enum_parser(column.enum)
    return _PARSERS.get(column.kind, _text_or_none)  # TEXT, ROLE


def _parse(column: Column, raw: Any) -> Any:
    return _parser(column)(raw)


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

    if ROW_ERROR in raw:
        zh, en = raw[ROW_ERROR]
        return None, [issue(None, None, zh, en)], warnings
    plan = _columns(table)
    cell_errors = _cell_problems(table, raw, plan, issue)
    if cell_errors:
        return None, cell_errors, warnings
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
    for column, header, is_key, parse, required, many, memo in _row_plan(table):
        if deleting and not is_key:
            cells[header] = None
            continue
        rawv = raw.get(header)
        if rawv is None or rawv == "":
            value = [] if many else None
        elif memo is not None and type(rawv) is str and (
                value := memo.get(rawv, _UNPARSED)) is not _UNPARSED:
            pass  # a text this column already parsed (a date, a code, an enumeration)
        else:
            try:
                value = parse(rawv)
            except BadValue as exc:
                errors.append(issue(header, _shown(column, rawv), exc.zh, exc.en))
                continue
            if memo is not None and type(rawv) is str and len(memo) < PARSED_MAX:
                memo[rawv] = value
        if required and (value is None or value == "" or value == []):
            errors.append(issue(header, "", "必填项为空", "a required value is empty"))
            continue
        cells[header] = value
    if errors:
        return None, errors, warnings
    if not deleting:
        light_errors, light_warnings = _light_checks(table, cells, issue)
        warnings.extend(light_warnings)
        if light_errors:
            return None, light_errors, warnings
    key, values, extra_sig = build(table, cells, hasher)
    for header, zh, en in _end_checks(table.english, values):
        errors.append(issue(header, clean_text(raw.get(header)), zh, en))
    if table.english == "posts" and values["role"] is None and op != DELETE:
        warnings.append(issue(
            "职务", values["title"], "职务无法归入标准角色，已按原文保存",
            "role not recognised: kept as written, with no normalised role",
        ))
    if errors:
        return None, errors, warnings
    sig = _signature(table, values, extra_sig)
    return new_record(name, row, key, values, sig, op), errors, warnings


#: (column, header, is identity, parser, required, empty is a list) per column.
ColumnPlan = tuple[tuple[Column, str, bool, Callable[[Any], Any], bool, bool], ...]
_COLUMN_PLANS: dict[str, tuple[tuple[Column, ...], ColumnPlan]] = {}
#: per table: (the signed value names in sorted order, the names signed when None, the
#: unsigned names, a getter of every signed name's value (two names or more), the
#: positions of the names left out when None, ``repr`` of the pairs as a %-template)
_SIG_ORDERS: dict[str, tuple[tuple[Column, ...], tuple[str, ...], frozenset[str],
                             frozenset[str], Any, tuple[int, ...], str]] = {}


def _signature(table: Table, values: dict[str, Any], extra: dict[str, Any]) -> str:
    """``signature(signature_values(...))`` without its per-row dictionaries and sort: the
    value names of a table's records are the same every row (:func:`.schema.build`), so
    their sorted order is taken once; the text hashed is the same, character for
    character (``repr`` of the sorted (name, value) pairs)."""
    cached = _SIG_ORDERS.get(table.name)
    if cached is None or cached[0] is not table.columns:
        unsigned = UNSIGNED.get(table.name, frozenset())
        order = tuple(sorted({*values, *extra} - unsigned))
        signed = SIGNED_EMPTY_V1.get(table.name, frozenset())
        cached = (table.columns, order, signed, unsigned,
                  operator.itemgetter(*order) if len(order) > 1 else None,
                  tuple(i for i, k in enumerate(order) if k not in signed),
                  "[" + ", ".join("(" + repr(k).replace("%", "%%") + ", %r)"
                                  for k in order) + "]")
        _SIG_ORDERS[table.name] = cached
    _, order, signed, unsigned, getter, optional, template = cached
    merged = {**values, **extra} if extra else values
    try:
        size = len(order) + len(unsigned)
        if (len(merged) != size or len(values) + len(extra) != size
                or not unsigned <= merged.keys()):
            raise KeyError(table.name)
        if getter is None:
            text = repr([(k, v) for k in order if (v := merged[k]) is not None or k in signed])
        else:  # every value at once; a None left out only where it is not signed
            got = getter(merged)
            for i in optional:
                if got[i] is None:
                    text = repr([(k, v) for k, v in zip(order, got, strict=True)
                                 if v is not None or k in signed])
                    break
            else:  # ``repr`` of the pairs, the names' part written once
                text = template % got
    except KeyError:  # not the usual names (never from build): the general path
        return signature(signature_values(table.name, values, extra))
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


#: Texts each column keeps parsed (per process, per column): past this the column parses.
PARSED_MAX = 20_000
_UNPARSED = object()
#: The kinds whose parsed text is kept (pure parsers, immutable values, values that
#: repeat: dates, enumerations, numbers, roles and titles); a list (``CODES``) and
#: personal data (``PII_*``, ``FREE``) never are.
_REMEMBERED_KINDS = frozenset({DATE, ENUM, INT, DECIMAL, ROLE})
#: per table: (its columns, the column plan with one more item per column: the dict of
#: texts it parsed, or None)
_ROW_PLANS: dict[str, tuple[tuple[Column, ...], tuple[tuple[Any, ...], ...]]] = {}


def _remembers(column: Column) -> bool:
    """Parse this column's texts once each?  Codes that name other records (a person's
    party organisation, a post's organisation) and short texts that repeat (性别, 政治面貌,
    指标) do; names and the table's own codes are mostly unique and do not."""
    if column.kind in _REMEMBERED_KINDS:
        return True
    if column.kind == CODE:
        return bool(column.refs)
    return column.kind == TEXT and column.prop not in (None, "name", "project", "note") \
        and column.pii == PII_NONE


def _row_plan(table: Table) -> tuple[tuple[Any, ...], ...]:
    """:func:`_columns` with a parsed-text memo per column (:func:`_remembers`)."""
    cached = _ROW_PLANS.get(table.name)
    if cached is not None and cached[0] is table.columns:
        return cached[1]
    plan = tuple((*entry, {} if _remembers(entry[0]) else None) for entry in _columns(table))
    _ROW_PLANS[table.name] = (table.columns, plan)
    return plan


def _columns(table: Table) -> ColumnPlan:
    """The table's column plan, built once and cached while the columns are the same
    object (a test may declare one more): per row, no kind dispatch and no lookups."""
    cached = _COLUMN_PLANS.get(table.name)
    if cached is not None and cached[0] is table.columns:
        return cached[1]
    plan = tuple((c, c.header, c.identity, _parser(c), c.required, c.kind == CODES)
                 for c in table.columns)
    _COLUMN_PLANS[table.name] = (table.columns, plan)
    return plan


#: (start value, end value, the end's header) of the tables whose records have a term.
_END_PAIRS: dict[str, tuple[str, str, str]] = {
    "posts": ("start", "end", "结束日期"),
    "supervision": ("start", "end", "结束日期"),
    "contracts": ("start", "end", "结束日期"),
    "organisations": ("founded", "term_end", "届满日期"),
}


def _end_checks(english: str, v: dict[str, Any]) -> list[tuple[str, str, str]]:
    pairs = _END_PAIRS.get(english)
    if pairs is None:
        return []
    start, end, header = pairs
    if v.get(start) and v.get(end) and v[end] < v[start]:
        return [(header, "结束日期早于开始日期", "the end date is before the start date")]
    return []
