"""The audit catalog: questions discovered from ``queries/*.cypher`` plus the analytics.

A question is one file.  Its header — a block of ``// key: value`` comment lines at the
top — says what one row is, which rule (DOMAIN.md §5) and seed document it checks, its
parameters and its output columns, so adding a question means adding a file (and its
test), nothing else::

    // name: overdue_reelection
    // title_zh: 业委会到期未换届
    // title_en: Owners' committees overdue for re-election
    // rules: R13
    // source: 002
    // one_row_per: active owners' committee whose term ended before as_of
    // description: free text, may span several lines
    // param: min_share float 0.30 — the smallest acceptable share
    // column: committee_code — 业委会编码 — the committee's organisation code

Every question also takes the common parameters ``as_of`` and ``scope`` (declared here,
not in each file); the runner adds the derived ``as_of_day``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ..graph.cypher import cypher

__all__ = [
    "COMMON_PARAMS",
    "PARAM_TYPES",
    "Column",
    "HeaderError",
    "Param",
    "Question",
    "UnknownQuestion",
    "catalog",
    "get_question",
    "parse_header",
]

QUERY_DIR = Path(__file__).parent
PARAM_TYPES = ("date", "unit", "string", "int", "float", "bool", "level")
_SEP = re.compile(r"\s+[—–]\s+")  # em or en dash between spaces separates header fields
_LINE = re.compile(r"^//\s*([a-z_]+)\s*:\s?(.*)$")
_REQUIRED = ("name", "title_zh", "title_en", "rules", "source", "one_row_per")
_LIST_KEYS = ("rules", "source")


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


@dataclass(frozen=True)
class Column:
    name: str
    title_zh: str
    description: str


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

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)


#: Declared once for every question (the runner fills ``as_of`` from the latest sync).
COMMON_PARAMS: tuple[Param, ...] = (
    Param("as_of", "date", None,
          "the date the answer describes (default: snapshot date of the latest sync, else today)"),
    Param("scope", "unit", None,
          "a unit code: only its subtree and the organisations sitting there (default: all)"),
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
    ...     "// source: 002\\n// one_row_per: unit\\n// param: n int 3 — at least\\n"
    ...     "// column: x — 编码 — the code\\nRETURN 1 AS x")
    >>> head["rules"], head["params"][0], body
    (['R1', 'R5'], Param(name='n', type='int', default=3, description='at least'), 'RETURN 1 AS x')
    """
    fields: dict[str, Any] = {"params": [], "columns": [], "description": ""}
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
        elif key in _LIST_KEYS:
            fields[key] = [v.strip() for v in value.split(",") if v.strip()]
        else:
            fields[key] = value
    missing = [k for k in _REQUIRED if not fields.get(k)]
    if missing:
        raise HeaderError(f"{where}: header lacks {', '.join(missing)}")
    if not fields["columns"]:
        raise HeaderError(f"{where}: header declares no column")
    return fields, "\n".join(lines[i:]).strip()


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
    )


@functools.cache
def _questions() -> dict[str, Question]:
    from .analytics import ANALYTICS

    found: dict[str, Question] = {}
    for path in sorted(QUERY_DIR.glob("*.cypher")):
        q = load_file(path)
        found[q.name] = q
    for q in ANALYTICS:
        if q.name in found:
            raise HeaderError(f"question {q.name!r} is defined twice")
        found[q.name] = q
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
