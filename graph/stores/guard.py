"""What the read-only path refuses before the engine sees it: reaching outside the graph.

The engines refuse writes in a read transaction themselves, but not ``LOAD CSV FROM
'https://…'`` (the database opens a connection to any host, or reads a server file) nor
procedures that touch files, the network, other databases or the server's settings
(``apoc.load.*``, ``dbms.*``, admin ``db.*``).  Both adapters call :func:`check_read`
first, so the refusal and its message are the same on every engine.

The check reads the query's tokens with comments, string literals and back-ticked names
taken apart first, so ``load/**/csv``, ``LoAd CsV`` or a ``CALL`` hidden in a comment are
seen (or ignored) as the engine would.  Unicode escapes (``\u0064``) are decoded first,
everywhere, as Neo4j's parser does (it reads ``\u0064ate(…)`` as ``date(…)`` and
``\u002f\u002f`` as a comment).  A procedure's or function's name is decided on its parsed
parts whatever their quoting: ```apoc.load.json`(…)`` (one back-ticked name holding
the dots), ```apoc`.`load`.json(…)`` and ``apoc . load . json(…)`` all name
``apoc.load.json`` on both engines, and are refused alike.  ``CALL`` of a procedure is
allowed only for the schema procedures in :data:`ALLOWED_PROCEDURES`; a namespaced
function only from the built-in namespaces in :data:`ALLOWED_FUNCTION_NAMESPACES`;
``USE`` (another database),
``SHOW``/``TERMINATE`` (server administration) are refused too.

>>> check_read("MATCH (n) RETURN n.load AS csv // LOAD CSV")
>>> check_read("load/**/csv from 'http://x/' as row return row")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
redgov.graph.stores.guard.RefusedRead: 已拒绝：LOAD CSV...
"""

from __future__ import annotations

import functools
import re
from typing import Final

from .base import StoreError

__all__ = ["ALLOWED_FUNCTION_NAMESPACES", "ALLOWED_PROCEDURES", "MAX_RANGE", "RefusedRead",
           "check_free_read", "check_read"]

#: Procedures that only describe the graph's own schema (both engines' spellings).
ALLOWED_PROCEDURES = frozenset({
    "db.labels",
    "db.relationshiptypes",
    "db.propertykeys",
    "db.indexes",
    "db.constraints",
    "db.schema.visualization",
    "db.schema.nodetypeproperties",
    "db.schema.reltypeproperties",
})
#: Namespaces of built-in functions (temporal, spatial, vector, string); none reaches out.
ALLOWED_FUNCTION_NAMESPACES = frozenset({
    "date", "datetime", "localdatetime", "localtime", "time", "duration", "point",
    "vector", "string", "list",
})
_ADMIN_STARTS = frozenset({"show", "terminate", "use", "alter", "grant", "deny", "revoke",
                           "start", "stop", "enable", "dryrun"})

# Java's rule: ``\u`` (one or more u) and four hex digits, unless the backslash is itself
# escaped (preceded by an odd number of backslashes).
_UNICODE_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\u+([0-9a-fA-F]{4})")

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<line>//[^\n]*)
  | (?P<block>/\*.*?(?:\*/|\Z))
  | (?P<str>'(?:[^'\\]|\\.)*(?:'|\Z) | "(?:[^"\\]|\\.)*(?:"|\Z))
  | (?P<tick>`(?:[^`]|``)*(?:`|\Z))
  | (?P<ident>[^\W\d]\w*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


#: The most elements a ``range()`` with literal bounds may build.  FalkorDB allocates a
#: range's whole list before its per-query memory check runs (``range(1, 10^9)`` grew the
#: server past 20 GiB), so a literal range beyond this is refused before the engine sees
#: it; a range whose bounds are computed is left to the engines' memory limits.
MAX_RANGE = 10_000_000
_RANGE = re.compile(
    r"(?<![\w.`])`?range`?\s*\(\s*([-+]?\d+)\s*,\s*([-+]?\d+)\s*(?:,\s*([-+]?\d+)\s*)?\)",
    re.IGNORECASE,
)


class RefusedRead(StoreError):
    """A read-only entry point was given a query that reaches outside the graph."""


#: What a refused query reached for (a verdict's English head) in Chinese.
_WHAT_ZH: Final = (
    ("procedure ", "过程 "), ("function ", "函数 "), ("label expression with ", "标签表达式中的 "),
    ("label ", "标签 "),
    ("a node pattern without a label, joined to no relationship", "既无标签也不连关系的节点模式"),
    ("a zero-length path", "零长度路径"),
    ("a quantified path that may repeat zero times", "可能重复零次的量化路径"),
)


def what_zh(what: str) -> str:
    """A verdict (``procedure dbms.x``) in Chinese (``过程 dbms.x``).

    >>> what_zh("procedure dbms.listConfig")
    '过程 dbms.listConfig'
    >>> what_zh("SHOW (another database or server administration)")
    'SHOW（其他数据库或服务器管理）'
    """
    if what.endswith(" (another database or server administration)"):
        return what.partition(" ")[0] + "（其他数据库或服务器管理）"
    for en, zh in _WHAT_ZH:
        if what.startswith(en):
            return zh + what.removeprefix(en)
    return what


def _refuse(what: str) -> RefusedRead:
    allowed = ", ".join(sorted(ALLOWED_PROCEDURES))
    return RefusedRead(
        f"已拒绝：{what_zh(what)} 超出图数据的范围；只读入口只运行图上的查询（不允许 LOAD CSV、"
        f"USE、管理命令，以及 {'、'.join(sorted(ALLOWED_PROCEDURES))} 以外的过程）",
        en=f"refused: {what} reaches outside the graph; the read-only path runs only queries "
        "on the graph (LOAD CSV, USE, administration commands and procedures other than "
        f"{allowed} are not allowed)",
    )


def unescape(text: str) -> str:
    r"""``text`` with its unicode escapes decoded (an escaped backslash stays).

    >>> unescape(r"RETURN \u0064ate('x'), '\\u0041'")
    "RETURN date('x'), '\\\\u0041'"
    """
    return _UNICODE_ESCAPE.sub(lambda m: m.group(1) + chr(int(m.group(2), 16)), text)


def tokens(text: str) -> list[tuple[str, str]]:
    """``(kind, value)`` pairs: ``ident`` (lower-cased, back-ticked names unquoted), ``p``.

    Comments and whitespace vanish, a string literal becomes one ``str`` token.  A
    back-ticked name holding dots (```apoc.load.json```) becomes its dotted parts, as both
    engines resolve it.
    """
    out: list[tuple[str, str]] = []
    for m in _TOKEN.finditer(unescape(text)):
        kind = m.lastgroup or "other"
        value = m.group()
        if kind in ("ws", "line", "block"):
            continue
        if kind == "tick":
            name = value[1:-1].replace("``", "`").lower()
            for j, part in enumerate(name.split(".")):
                if j:
                    out.append(("p", "."))
                out.append(("ident", part.strip()))
        elif kind == "ident":
            out.append(("ident", value.lower()))
        elif kind == "str":
            out.append(("str", ""))
        else:
            out.append(("p", value))
    return out


def _dotted(toks: list[tuple[str, str]], i: int) -> tuple[str, int]:
    """The dotted name starting at ``toks[i]`` and the index after it."""
    parts = [toks[i][1]]
    i += 1
    while i + 1 < len(toks) and toks[i] == ("p", ".") and toks[i + 1][0] == "ident":
        parts.append(toks[i + 1][1])
        i += 2
    return ".".join(parts), i


def check_read(text: str) -> None:
    """Raise :class:`RefusedRead` when ``text`` reaches outside the graph, and
    :class:`~.timeouts.ReadTooLarge` for a literal ``range()`` longer than :data:`MAX_RANGE`.

    >>> check_read("UNWIND range(1, 1000000000) AS x RETURN count(x)")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    redgov.graph.stores.timeouts.ReadTooLarge: `range()` 要生成 1000000000 个元素...
    """
    what = _verdict(text)
    if what is not None:
        raise _refuse(what)
    if _self_growing_reduce(text):
        from .timeouts import ReadTooLarge

        raise ReadTooLarge(
            "`reduce()` 的每一步把累加值与自身相加或相乘，结果成倍增长、会耗尽内存，查询未执行。",
            en="reduce() combines its accumulator with itself at every step, so its value "
            "doubles each time; the query was not run",
        )
    size = _largest_range(text)
    if size > MAX_RANGE:
        from .timeouts import ReadTooLarge

        raise ReadTooLarge(
            f"`range()` 要生成 {size} 个元素，超过单次查询上限 {MAX_RANGE}、会耗尽内存，"
            "查询未执行；请缩小范围。",
            en=f"range() would build {size} elements, more than one read may: {MAX_RANGE}; "
            "the query was not run",
        )


#: Tokens that end one operand chain inside a reduce step (a comparison, a CASE branch…).
_CHAIN_BREAKS = frozenset({",", "|", "<", ">", "=", "then", "else", "when", "case", "end",
                           "and", "or", "xor", "not", "is", "in"})


@functools.lru_cache(maxsize=1024)
def _self_growing_reduce(text: str) -> bool:
    """Whether a ``reduce(acc = …, x IN … | step)`` adds or multiplies ``acc`` with itself in
    one chain (``acc + acc``): its value doubles at every element, so 40 elements make
    terabytes.  FalkorDB checks its memory limit between rows, not inside an expression,
    so this growth is refused before the engine sees it.  ``CASE WHEN x < acc THEN x ELSE
    acc END`` (the catalog's minimum) is not a chain and passes.

    >>> _self_growing_reduce("RETURN reduce(s = 'x', i IN range(1, 40) | s + s) AS n")
    True
    >>> _self_growing_reduce("RETURN reduce(m = 0, x IN [3] | CASE WHEN x > m THEN x ELSE m END)")
    False
    """
    toks = tokens(text)
    for i in range(len(toks) - 3):
        if toks[i] != ("ident", "reduce") or toks[i + 1] != ("p", "(") or toks[i + 2][0] != (
            "ident"
        ) or toks[i + 3] != ("p", "="):
            continue
        acc, depth, j = toks[i + 2], 0, i + 4
        while j < len(toks) and not (depth == 0 and toks[j] == ("p", "|")):
            depth += {"(": 1, ")": -1, "[": 1, "]": -1}.get(toks[j][1], 0)
            j += 1
        depth, last, grows = 0, None, False
        for k in range(j + 1, len(toks)):
            value = toks[k][1]
            if toks[k][0] == "p" and value in ")]" and depth == 0:
                break
            depth += {"(": 1, ")": -1, "[": 1, "]": -1}.get(value, 0)
            if value in _CHAIN_BREAKS:
                last, grows = None, False
            elif toks[k] == acc:
                if last is not None and grows:
                    return True
                last, grows = k, False
            elif last is not None and value in "+*" and toks[k][0] == "p":
                grows = True
    return False


@functools.lru_cache(maxsize=1024)
def _largest_range(text: str) -> int:
    """The element count of the longest literal ``range(a, b[, step])`` outside comments and
    strings (0 when none)."""
    code = "".join(
        " " if m.lastgroup in ("line", "block") else ("''" if m.lastgroup == "str" else m.group())
        for m in _TOKEN.finditer(text)
    )
    largest = 0
    for m in _RANGE.finditer(code):
        start, end = int(m.group(1)), int(m.group(2))
        step = int(m.group(3)) if m.group(3) else 1
        if step:
            largest = max(largest, (end - start) // step + 1)
    return largest


@functools.lru_cache(maxsize=1024)
def _verdict(text: str) -> str | None:
    """What reaches outside in ``text``, or None; cached (the catalog's texts recur, and
    tokenising the longest takes a few milliseconds)."""
    toks = tokens(text)
    for i, (kind, value) in enumerate(toks):
        if kind != "ident":
            continue
        prev = toks[i - 1] if i else ("p", ";")
        after_dot = prev == ("p", ".")
        if value == "load" and not after_dot and i + 1 < len(toks) and toks[i + 1] == (
            "ident", "csv"
        ):
            return "LOAD CSV"
        # A clause that opens a statement: the first token, or after ';', '{' or UNION.
        opens = prev in (("p", ";"), ("p", "{")) or prev[1] in ("union", "all")
        if value in _ADMIN_STARTS and (i == 0 or opens) and not after_dot:
            return f"{value.upper()} (another database or server administration)"
        if value == "call" and not after_dot and i + 1 < len(toks) and toks[i + 1][0] == "ident":
            name, _ = _dotted(toks, i + 1)
            if name not in ALLOWED_PROCEDURES:
                return f"procedure {name}"
        if not after_dot and i + 1 < len(toks) and toks[i + 1] == ("p", "."):
            name, j = _dotted(toks, i)
            is_call = j < len(toks) and toks[j] == ("p", "(") and "." in name
            called = prev == ("ident", "call")
            if is_call and not called:
                namespace = name.rpartition(".")[0]
                if namespace.split(".")[0] not in ALLOWED_FUNCTION_NAMESPACES:
                    return f"function {name}"
    return None


# -- free queries (``redgov cypher``): governance data only --------------------------------
# On Neo4j Community the metadata space (accounts, login throttling) shares the one
# database with the governance graph, so ``MATCH (a:Account) RETURN a`` or ``MATCH (n)
# RETURN n`` would return account names and argon2 hashes; on FalkorDB it is a graph key
# of its own that a read never selects.  A free query therefore has to reach every node
# it returns through a governance label or a relationship: metadata nodes carry no
# relationships (an invariant of graph/schema.py's metadata space), so a pattern that
# starts from a governance label, or walks at least one relationship, never meets them.
# The rule is decided on tokens, so it gives the same answer on both engines.

#: Clause words after which ``(`` opens a pattern, not a call's arguments.
#: (``COUNT {…}``, ``EXISTS {…}`` open with ``{``; ``count(n)`` is a call.)
#: (Not CREATE or MERGE: a write is the engine's to refuse, with the read-only message.)
#: Path selectors and match modes (``MATCH ANY SHORTEST (a)…``, ``MATCH ALL (n)``) too:
#: as functions (``any(x IN …)``) their parentheses never hold a bare variable.
_PATTERN_AFTER = frozenset({"match", "where", "and", "or", "xor", "not",
                            "return", "with", "in", "when", "then", "else", "yield", "unwind",
                            "as", "by", "distinct", "exists", "any", "all", "shortest",
                            "path", "paths", "groups", "relationships", "elements",
                            "repeatable", "different", "walk", "trail", "acyclic"})


def _meta_labels() -> frozenset[str]:
    from ..vocabulary import META_LABELS  # every label of the metadata space

    return frozenset(label.lower() for label in META_LABELS)


def _refuse_private(what: str) -> RefusedRead:
    return RefusedRead(
        f"已拒绝：{what_zh(what)}。自由查询只读治理数据："
        "每个模式须从治理标签（如 `:Unit`、`:Person`）出发或经过关系，"
        "不得使用账户与登录限制标签、标签通配（%）、取反（!）、动态标签（$）或零长度路径",
        en=f"refused: {what}; a free query reads governance data only: start every pattern "
        "from a governance label or walk a relationship; no account or throttle labels, "
        "label wildcards, negations, dynamic labels or zero-length paths",
    )


def _label_expression(toks: list[tuple[str, str]], i: int, meta: frozenset[str]) -> str | None:
    """What a label expression starting after the ``:`` at ``toks[i - 1]`` reaches, if bad."""
    depth = 0
    while i < len(toks):
        kind, value = toks[i]
        if kind == "ident":
            if value in meta:
                return f"label {value}"
        elif value in ("!", "%", "$"):
            return f"label expression with {value!r}"
        elif value == "(":
            depth += 1
        elif value == ")":
            if depth == 0:
                return None
            depth -= 1
        elif value not in ("|", "&", ":"):
            return None
        i += 1
    return None


def _standalone_unlabelled(toks: list[tuple[str, str]], i: int) -> bool:
    """``toks[i]`` is the ``(`` of a node pattern with no label that no relationship joins."""
    prev = toks[i - 1] if i else ("p", ";")
    if prev[0] == "ident" and prev[1] not in _PATTERN_AFTER:
        return False  # a function's or procedure's arguments: count(n), date(x)
    if prev in (("p", "-"), ("p", ">")):
        return False  # the far end of a relationship
    j = i + 1
    if j < len(toks) and toks[j][0] == "ident":
        j += 1
    if j < len(toks) and toks[j] == ("p", "{"):  # a property map: skip to its end
        depth = 0
        while j < len(toks):
            depth += {"{": 1, "}": -1}.get(toks[j][1], 0) if toks[j][0] == "p" else 0
            j += 1
            if depth == 0:
                break
    elif j + 1 < len(toks) and toks[j] == ("p", "$") and toks[j + 1][0] == "ident":
        j += 2
    if j >= len(toks) or toks[j] != ("p", ")"):
        return False  # a label, a WHERE, or an expression: not a bare node pattern
    after = toks[j + 1] if j + 1 < len(toks) else ("p", ";")
    return after not in (("p", "-"), ("p", "<"))


def check_free_read(text: str) -> None:
    """:func:`check_read`, then refuse what could read the metadata space (see above).

    >>> check_free_read("MATCH (u:Unit)-[:PART_OF*1..4]->(d:Unit) RETURN count(u) AS n")
    >>> check_free_read("MATCH (n) RETURN n")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    redgov.graph.stores.guard.RefusedRead: 已拒绝：既无标签也不连关系的节点模式...
    """
    check_read(text)
    what = _private_verdict(text)
    if what is not None:
        raise _refuse_private(what)


@functools.lru_cache(maxsize=256)
def _private_verdict(text: str) -> str | None:
    toks = tokens(text)
    meta = _meta_labels()
    for i, (kind, value) in enumerate(toks):
        if kind != "p":
            continue
        if value == ":" and i + 1 < len(toks):
            prev2 = toks[i - 2] if i >= 2 else ("p", ";")
            map_key = toks[i - 1][0] == "ident" and prev2 in (("p", "{"), ("p", ","))
            if not map_key:
                bad = _label_expression(toks, i + 1, meta)
                if bad is not None:
                    return bad
        elif value == "(" and _standalone_unlabelled(toks, i):
            return "a node pattern without a label, joined to no relationship"
        elif value == "*" and i + 1 < len(toks) and toks[i + 1] == ("p", "0"):
            return "a zero-length path"
        elif value == "{" and i + 1 < len(toks) and toks[i + 1] == ("p", "0"):
            return "a quantified path that may repeat zero times"
    return None
