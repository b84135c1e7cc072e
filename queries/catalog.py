"""The audit catalog: questions discovered from ``queries/*.cypher`` plus the analytics.

A question is one file.  Its header — a block of ``// key: value`` comment lines at the
top — says what one row is, which rule (docs/domain.md §5) and seed document it checks, its
parameters and its output columns, so adding a question means adding a file and its
expected rows on the audit fixture (``queries/expected/<name>.jsonl``, see the README
there), then regenerating the docs (``python -m redgov.queries.catalog_docs --write``)::

    // name: overdue_reelection
    // title_zh: 业委会到期未换届
    // title_en: Owners' committees overdue for re-election
    // rules: R13
    // source: 002
    // one_row_per: active owners' committee whose term ended before as_of
    // description: free text, may span several lines
    // one_row_per_zh: 任期届满日期早于截至日期的在册业主委员会
    // rule_zh: 业委会任期届满应按时换届……   (plain Chinese, may span several lines)
    // param: min_share float 0.30 — the smallest acceptable share
    // param_zh: min_share — 党员比例下限
    // param_zh: year — 评选年度 — 截至日期所在年度   (a third part: what no value means)
    // column: committee_code — 业委会编码 — the committee's organisation code
    // type: days_overdue — int
    // finding: every row
    // headline: share                      (optional: the rate a report charts)
    // example: --param min_share=0.5       (optional: the options of the guide's command)

Column roles are declared, so that nothing downstream guesses: ``type`` gives each
column's value type — ``code``, ``text``, ``int``, ``float``, ``rate``, ``date``,
``month``, ``bool``, ``codes:organisation|person|unit`` (a list of codes) or a display
domain of :mod:`graph.display` (``level``, ``org_kind``, ``finding`` …); columns ending in
``_code`` are codes and in ``_name`` text unless declared otherwise.  ``finding`` says
which rows are findings: ``COLUMN — value, value`` (rows whose COLUMN holds one of the
values; ``true``/``false`` for a boolean), ``every row`` or ``none``.

Every question also takes the common parameters ``as_of`` and ``scope`` (declared here,
not in each file); the runner adds the derived ``as_of_day`` and ``snapshot`` (the chosen
published snapshot's ordinal, which the shared conditions ``@live``/``@current``/
``@active`` pin; ``@in_scope`` reads ``scope``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from ..graph.cypher import cypher
from ..graph.display import DOMAINS

__all__ = [
    "COLUMN_TYPES",
    "COMMON_PARAMS",
    "PARAM_TYPES",
    "Column",
    "Finding",
    "HeaderError",
    "Param",
    "Question",
    "UnknownQuestion",
    "catalog",
    "check_roles",
    "get_question",
    "parse_finding",
    "parse_header",
]

QUERY_DIR = Path(__file__).parent
PARAM_TYPES = ("date", "unit", "string", "int", "float", "bool", "level")
_SEP = re.compile(r"\s+[—–]\s+")  # em or en dash between spaces separates header fields
_LINE = re.compile(r"^//\s*([a-z_]+)\s*:\s?(.*)$")
_REQUIRED = ("name", "title_zh", "title_en", "rules", "source", "one_row_per",
             "one_row_per_zh", "rule_zh", "finding")
_LIST_KEYS = ("rules", "source")
#: Value types a column may declare (see the module docstring).
COLUMN_TYPES = ("code", "text", "int", "float", "rate", "date", "month", "bool",
                "codes:organisation", "codes:person", "codes:unit",
                *(d for d in DOMAINS if d != "bool"))
EVERY_ROW, NO_FINDING = "every row", "none"


class HeaderError(ValueError):
    """A ``.cypher`` file's header is missing a field or malformed."""


class UnknownQuestion(KeyError):
    """``get_question`` was asked for a name the catalog does not hold."""

    def __str__(self) -> str:  # KeyError would print the repr of its argument
        return str(self.args[0]) if self.args else "unknown question"


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: Any
    description: str
    label_zh: str = ""
    default_zh: str = ""  # what no value means, for a parameter whose default is None

    def label(self, lang: str = "zh") -> str:
        """What a form or a report calls the parameter (never the bare name in Chinese)."""
        if lang == "en" or not self.label_zh:
            return self.name.replace("_", " ")
        return self.label_zh


def _implied_type(name: str) -> str:
    return "code" if name.endswith("_code") else "text" if name.endswith("_name") else ""


@dataclass(frozen=True)
class Column:
    """An output column; ``type`` is its value type (:data:`COLUMN_TYPES`)."""

    name: str
    title_zh: str
    description: str
    type: str = ""

    def __post_init__(self) -> None:
        if not self.type:
            object.__setattr__(self, "type", _implied_type(self.name))

    @property
    def title_en(self) -> str:
        return self.name.replace("_", " ")

    def title(self, lang: str = "zh") -> str:
        return self.title_en if lang == "en" else self.title_zh

    @property
    def domain(self) -> str | None:
        """The display domain of the values, when the column holds vocabulary codes."""
        return self.type if self.type in DOMAINS and self.type != "bool" else None


@dataclass(frozen=True)
class Finding:
    """Which rows of a question are findings, as its header declares.

    >>> f = Finding("finding", ("应建未建", "未覆盖"))
    >>> f.is_finding({"finding": "未覆盖"}), f.is_finding({"finding": "工作覆盖"})
    (True, False)
    >>> Finding(every_row=True).is_finding({}), Finding().is_finding({})
    (True, False)
    >>> Finding("one_shoulder", ("false",)).is_finding({"one_shoulder": False})
    True
    """

    column: str | None = None
    values: tuple[str, ...] = ()
    every_row: bool = False

    @property
    def declared(self) -> bool:
        """The question reports findings at all (else it is a count or a listing)."""
        return self.every_row or self.column is not None

    def is_finding(self, row: Mapping[str, Any]) -> bool:
        if self.every_row:
            return True
        if self.column is None:
            return False
        value = row.get(self.column)
        if isinstance(value, bool):
            value = "true" if value else "false"
        return value is not None and str(value) in self.values

    def text(self) -> str:
        """The header form: ``finding — 应建未建, 未覆盖``, ``every row`` or ``none``."""
        if self.every_row:
            return EVERY_ROW
        if self.column is None:
            return NO_FINDING
        return f"{self.column} — {', '.join(self.values)}"


def parse_finding(value: str, where: str) -> Finding:
    """The ``finding`` header line as a :class:`Finding`.

    >>> parse_finding("finding — 应建未建, 未覆盖", "x")
    Finding(column='finding', values=('应建未建', '未覆盖'), every_row=False)
    """
    if value == EVERY_ROW:
        return Finding(every_row=True)
    if value == NO_FINDING:
        return Finding()
    parts = _SEP.split(value, maxsplit=1)
    values = tuple(v.strip() for v in parts[-1].split(",") if v.strip())
    if len(parts) != 2 or not values:
        raise HeaderError(f"{where}: finding needs 'COLUMN — value, value', "
                          f"'{EVERY_ROW}' or '{NO_FINDING}'")
    return Finding(parts[0].strip(), values)


@dataclass(frozen=True)
class Question:
    name: str
    title_zh: str
    title_en: str
    rules: list[str]
    sources: list[str]
    one_row_per: str
    description: str
    params: list[Param]
    columns: list[Column]
    kind: Literal["cypher", "analytics"] = "cypher"
    text: str = ""
    path: Path | None = None
    compute: Any = field(default=None, repr=False, compare=False)  # analytics only
    one_row_per_zh: str = ""
    rule_zh: str = ""
    finding: Finding = field(default_factory=Finding)
    headline: str | None = None  # a rate column worth a chart
    example: str = ""  # options of the example command in the guide (``--param k=v`` …)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def title(self, lang: str = "zh") -> str:
        return self.title_en if lang == "en" else self.title_zh

    def row_is(self, lang: str = "zh") -> str:
        """What one row is ("每行是")."""
        return self.one_row_per if lang == "en" else self.one_row_per_zh

    def rule(self, lang: str = "zh") -> str:
        """The rule explanation in plain words."""
        return self.description if lang == "en" else self.rule_zh

    def is_finding(self, row: Mapping[str, Any]) -> bool:
        return self.finding.is_finding(row)

    def finding_rows(self, rows: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
        """Only the rows that are findings (none for a question that reports none)."""
        return [r for r in rows if self.finding.is_finding(r)]

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)


#: Declared once for every question (the runner fills ``as_of`` from the chosen snapshot).
COMMON_PARAMS: tuple[Param, ...] = (
    Param("as_of", "date", None,
          "the validity date within the snapshot (default: the snapshot's date, else today)",
          "截至日期"),
    Param("scope", "unit", None,
          "a unit code: only its subtree and the organisations sitting there (default: all)",
          "范围（单位编码）"),
)


def _default(type_: str, raw: str, where: str) -> Any:
    if raw in ("null", "none", ""):
        return None
    try:
        if type_ == "int":
            return int(raw)
        if type_ == "float":
            return float(raw)
        if type_ == "bool":
            if raw not in ("true", "false"):
                raise ValueError(raw)
            return raw == "true"
    except ValueError:
        raise HeaderError(f"{where}: default {raw!r} is not a {type_}") from None
    return raw


def parse_header(source: str, where: str = "<text>") -> tuple[dict[str, Any], str]:
    """Split a ``.cypher`` file into its header fields and the query body.

    >>> head, body = parse_header(
    ...     "// name: q\\n// title_zh: 问\\n// title_en: Q\\n// rules: R1, R5\\n"
    ...     "// source: 002\\n// one_row_per: unit\\n// one_row_per_zh: 单位\\n"
    ...     "// rule_zh: 规则\\n// param: n int 3 — at least\\n// param_zh: n — 至少\\n"
    ...     "// column: x — 数 — a count\\n// type: x — int\\n// finding: none\\nRETURN 1 AS x")
    >>> head["rules"], head["params"][0], head["columns"][0].type, body
    (['R1', 'R5'], Param(name='n', type='int', default=3, description='at least', \
label_zh='至少', default_zh=''), 'int', 'RETURN 1 AS x')
    """
    fields: dict[str, Any] = {"params": [], "columns": [], "description": "", "rule_zh": ""}
    types: dict[str, str] = {}
    param_zh: dict[str, tuple[str, str]] = {}
    lines = source.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        if not line:
            i += 1
            continue
        m = _LINE.match(line)
        if not line.startswith("//"):
            break
        i += 1
        if m is None:
            continue  # a plain comment inside the header
        key, value = m.group(1), m.group(2).strip()
        if key == "param":
            parts = _SEP.split(value, maxsplit=1)
            spec = parts[0].split()
            if len(spec) != 3 or len(parts) != 2:
                raise HeaderError(f"{where}: param needs 'name type default — description'")
            pname, ptype, raw = spec
            if ptype not in PARAM_TYPES:
                raise HeaderError(f"{where}: param {pname} has unknown type {ptype!r}")
            fields["params"].append(Param(pname, ptype, _default(ptype, raw, where), parts[1]))
        elif key == "column":
            parts = _SEP.split(value, maxsplit=2)
            if len(parts) != 3:
                raise HeaderError(f"{where}: column needs 'name — 中文 — description'")
            fields["columns"].append(Column(*parts))
        elif key == "description":
            fields["description"] = f"{fields['description']} {value}".strip()
        elif key == "rule_zh":  # Chinese lines join without a space
            fields["rule_zh"] += value
        elif key == "param_zh":
            parts = _SEP.split(value, maxsplit=2)
            if len(parts) < 2:
                raise HeaderError(f"{where}: param_zh needs 'name — 中文' (— 默认含义)")
            param_zh[parts[0].strip()] = (parts[1].strip(),
                                          parts[2].strip() if len(parts) == 3 else "")
        elif key == "type":
            parts = _SEP.split(value, maxsplit=1)
            if len(parts) != 2 or parts[1].strip() not in COLUMN_TYPES:
                raise HeaderError(f"{where}: type needs 'column, column — TYPE' with TYPE one "
                                  f"of {', '.join(COLUMN_TYPES)}; got {value!r}")
            for col in parts[0].split(","):
                types[col.strip()] = parts[1].strip()
        elif key == "finding":
            fields["finding"] = parse_finding(value, where)
        elif key in _LIST_KEYS:
            fields[key] = [v.strip() for v in value.split(",") if v.strip()]
        else:
            fields[key] = value
    missing = [k for k in _REQUIRED if not fields.get(k)]
    if missing:
        raise HeaderError(f"{where}: header lacks {', '.join(missing)}")
    if not fields["columns"]:
        raise HeaderError(f"{where}: header declares no column")
    _apply_roles(fields, types, param_zh, where)
    return fields, "\n".join(lines[i:]).strip()


def _apply_roles(
    fields: dict[str, Any], types: dict[str, str], param_zh: dict[str, tuple[str, str]],
    where: str,
) -> None:
    """Attach declared types and Chinese labels to the columns and parameters."""
    names = {c.name for c in fields["columns"]}
    stray = sorted(set(types) - names)
    if stray:
        raise HeaderError(f"{where}: type declared for unknown column {', '.join(stray)}")
    fields["columns"] = [replace(c, type=types.get(c.name, c.type)) for c in fields["columns"]]
    pnames = {p.name for p in fields["params"]}
    stray = sorted(set(param_zh) - pnames)
    missing = sorted(pnames - set(param_zh))
    if stray or missing:
        raise HeaderError(f"{where}: param_zh must label every parameter once "
                          f"(unknown: {stray}, unlabelled: {missing})")
    fields["params"] = [replace(p, label_zh=param_zh[p.name][0], default_zh=param_zh[p.name][1])
                        for p in fields["params"]]


def check_roles(q: Question) -> None:
    """Every column typed, the finding and headline columns real and of the right type."""
    where = q.path.name if q.path else q.name
    untyped = [c.name for c in q.columns if c.type not in COLUMN_TYPES]
    if untyped:
        raise HeaderError(f"{where}: column {', '.join(untyped)} has no type (// type: …)")
    if not q.rule_zh or not q.one_row_per_zh:
        raise HeaderError(f"{where}: rule_zh and one_row_per_zh are required")
    f = q.finding
    if f.column is not None:
        if f.column not in q.column_names:
            raise HeaderError(f"{where}: finding column {f.column!r} is not a column")
        col = q.column(f.column)
        known = ("true", "false") if col.type == "bool" else tuple(DOMAINS.get(col.type, ()))
        unknown = [v for v in f.values if v not in known]
        if unknown:
            raise HeaderError(f"{where}: finding values {unknown} are not values of "
                              f"{f.column} ({col.type})")
    if q.headline is not None and (q.headline not in q.column_names
                                   or q.column(q.headline).type != "rate"):
        raise HeaderError(f"{where}: headline {q.headline!r} is not a rate column")
    _check_example(q, where)


_EXAMPLE_OPTIONS = ("--scope", "--as-of", "--snapshot")


def _check_example(q: Question, where: str) -> None:
    """The example's options are ones ``redgov audit`` takes, its parameters declared ones."""
    words = q.example.split()
    pairs = list(zip(words[::2], words[1::2], strict=False))
    for option, value in pairs:
        name = value.split("=", 1)[0]
        if option == "--param" and "=" in value and name in [p.name for p in q.params[2:]]:
            continue
        if option not in _EXAMPLE_OPTIONS:
            raise HeaderError(f"{where}: example {option} {value!r} is neither "
                              f"'--param NAME=VALUE' of a declared parameter nor one of "
                              f"{', '.join(_EXAMPLE_OPTIONS)}")
    if len(words) % 2:
        raise HeaderError(f"{where}: example {q.example!r} has an option without a value")


def load_file(path: Path) -> Question:
    head, body = parse_header(path.read_text(encoding="utf-8"), str(path.name))
    if head["name"] != path.stem:
        raise HeaderError(f"{path.name}: header name {head['name']!r} differs from the file name")
    names = [p.name for p in head["params"]]
    clash = {p.name for p in COMMON_PARAMS} & set(names)
    if clash or len(set(names)) != len(names):
        raise HeaderError(f"{path.name}: parameter declared twice or shadowing a common one")
    # Registered so the project-wide lint test sees catalog texts as well.
    text = cypher(f"queries.{head['name']}", body)
    return Question(
        name=head["name"], title_zh=head["title_zh"], title_en=head["title_en"],
        rules=head["rules"], sources=head["source"], one_row_per=head["one_row_per"],
        description=head["description"], params=[*COMMON_PARAMS, *head["params"]],
        columns=head["columns"], kind="cypher", text=text, path=path,
        one_row_per_zh=head["one_row_per_zh"], rule_zh=head["rule_zh"],
        finding=head["finding"], headline=head.get("headline"), example=head.get("example", ""),
    )


@functools.cache
def _questions() -> dict[str, Question]:
    from .analytics import ANALYTICS
    from .evaluation_audit import EVALUATION_ANALYTICS

    found: dict[str, Question] = {}
    for path in sorted(QUERY_DIR.glob("*.cypher")):
        q = load_file(path)
        found[q.name] = q
    for q in (*ANALYTICS, *EVALUATION_ANALYTICS):
        if q.name in found:
            raise HeaderError(f"question {q.name!r} is defined twice")
        found[q.name] = q
    for q in found.values():
        check_roles(q)
    return dict(sorted(found.items()))


def catalog() -> list[Question]:
    """Every question, sorted by name."""
    return list(_questions().values())


def get_question(name: str) -> Question:
    try:
        return _questions()[name]
    except KeyError:
        known = ", ".join(_questions())
        raise UnknownQuestion(f"no audit question named {name!r}; known: {known}") from None
