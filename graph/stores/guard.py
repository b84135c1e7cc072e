"""What the read-only path refuses before the engine sees it: reaching outside the graph.

The engines refuse writes in a read transaction themselves, but not ``LOAD CSV FROM
'https://…'`` (the database opens a connection to any host, or reads a server file) nor
procedures that touch files, the network, other databases or the server's settings
(``apoc.load.*``, ``dbms.*``, admin ``db.*``).  Both adapters call :func:`check_read`
first, so the refusal and its message are the same on every engine.

The check reads the query's tokens with comments, string literals and back-ticked names
taken apart first, so ``load/**/csv``, ``LoAd CsV`` or a ``CALL`` hidden in a comment are
seen (or ignored) as the engine would.  ``CALL`` of a procedure is allowed only for the
schema procedures in :data:`ALLOWED_PROCEDURES`; a namespaced function only from the
built-in namespaces in :data:`ALLOWED_FUNCTION_NAMESPACES`; ``USE`` (another database),
``SHOW``/``TERMINATE`` (server administration) are refused too.

>>> check_read("MATCH (n) RETURN n.load AS csv // LOAD CSV")
>>> check_read("load/**/csv from 'http://x/' as row return row")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
redgov.graph.stores.guard.RefusedRead: ...LOAD CSV...
"""

from __future__ import annotations

import functools
import re

from .base import StoreError

__all__ = ["ALLOWED_FUNCTION_NAMESPACES", "ALLOWED_PROCEDURES", "MAX_RANGE", "RefusedRead",
           "check_read"]

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


def _refuse(what: str) -> RefusedRead:
    return RefusedRead(
        f"refused: {what} reaches outside the graph; the read-only path runs only queries "
        "on the graph (LOAD CSV, USE, administration commands and procedures other than "
        f"{', '.join(sorted(ALLOWED_PROCEDURES))} are not allowed)"
    )


def tokens(text: str) -> list[tuple[str, str]]:
    """``(kind, value)`` pairs: ``ident`` (lower-cased, back-ticked names unquoted), ``p``.

    Comments and whitespace vanish, a string literal becomes one ``str`` token.
    """
    out: list[tuple[str, str]] = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "other"
        value = m.group()
        if kind in ("ws", "line", "block"):
            continue
        if kind == "tick":
            out.append(("ident", value[1:-1].replace("``", "`").lower()))
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
    redgov.graph.stores.timeouts.ReadTooLarge: range() 要生成 1000000000 个元素...
    """
    what = _verdict(text)
    if what is not None:
        raise _refuse(what)
    if _self_growing_reduce(text):
        from .timeouts import ReadTooLarge

        raise ReadTooLarge(
            "reduce() 的每一步把累加值与自身相加或相乘，结果成倍增长、会耗尽内存，查询未执行。"
            " (reduce() combines its accumulator with itself at every step, so its value "
            "doubles each time)"
        )
    size = _largest_range(text)
    if size > MAX_RANGE:
        from .timeouts import ReadTooLarge

        raise ReadTooLarge(
            f"range() 要生成 {size} 个元素，超过单次查询上限 {MAX_RANGE}、会耗尽内存，"
            "查询未执行；请缩小范围。"
            f" (range() would build {size} elements, more than one read may: {MAX_RANGE})"
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
