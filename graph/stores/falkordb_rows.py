"""A read's rows from FalkorDB's compact reply, decoded in one pass.

Why: the client (``falkordb.QueryResult``) decodes every cell through a generic
dispatcher, and the store then walked every value again to turn nodes and edges into
property maps.  For the unscoped answers of tens of thousands of rows that Python work
took several times the server's (issue 18: ``cross_appointment_ratio`` read from facts,
4 ms in the server and ≈ 0.1 s in the client at city scale, ×20 at province).  Here the
common cells — null, string, integer, boolean, double, arrays of them — are decoded by
their type code directly, to the values the client gives; every other cell (node, edge,
path, map, point, temporal, vector) goes through the client's own parser and the store's
``plain`` as before.  Errors and a schema-version mismatch are left to the client's
``QueryResult``, which raises them as it always did.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from falkordb.exceptions import SchemaVersionMismatchException
from falkordb.query_result import QueryResult, parse_scalar
from redis.exceptions import ResponseError

__all__ = ["ro_rows"]

_NULL, _STRING, _INTEGER, _BOOLEAN, _DOUBLE, _ARRAY = 1, 2, 3, 4, 5, 6


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else value if isinstance(value, str) \
        else str(value)


def _cell(cell: list[Any], graph: Any, plain: Callable[[Any], Any]) -> Any:
    kind, value = cell[0], cell[1]
    if kind == _STRING:
        return value.decode() if type(value) is bytes else _text(value)
    if kind == _INTEGER:
        return int(value)
    if kind == _NULL:
        return None
    if kind == _BOOLEAN:
        return (value.decode() if isinstance(value, bytes) else value) == "true"
    if kind == _DOUBLE:
        return float(value)
    if kind == _ARRAY:
        return [_cell(v, graph, plain) for v in value]
    return plain(parse_scalar(cell, graph))


def ro_rows(graph: Any, text: str, timeout_ms: int | None,
            plain: Callable[[Any], Any], *, write: bool = False) -> list[dict[str, Any]]:
    """``graph.ro_query(text, timeout=timeout_ms)`` as a list of row dicts, each value as
    the client parses it and ``plain`` turns it (see the module docstring).  ``write``:
    ``graph.query`` instead, for a writer's texts (a sync's publish step reads the facts
    of a province, 100k rows of lists, on its writer)."""
    command: list[Any] = ["GRAPH.QUERY" if write else "GRAPH.RO_QUERY", graph.name, text,
                          "--compact"]
    if timeout_ms is not None:
        command += ["timeout", timeout_ms]
    response = graph.execute_command(*command)
    if len(response) < 3 or isinstance(response[0], ResponseError) \
            or isinstance(response[-1], ResponseError):
        try:  # no rows, or an error: the client's result raises as it always has
            result = QueryResult(graph, response)
        except SchemaVersionMismatchException as exc:
            graph.schema.refresh(exc.version)
            raise
        names = [_text(h[1] if isinstance(h, list | tuple) else h) for h in result.header]
        return [dict(zip(names, (plain(v) for v in rec), strict=True))
                for rec in result.result_set]
    names = [_text(h[1]) for h in response[0]]
    if not names:
        return []
    string, integer, null = _STRING, _INTEGER, _NULL
    out = []
    for row in response[1]:
        values = []
        for cell in row:
            kind, value = cell[0], cell[1]
            if kind == string and type(value) is str:  # the connection decodes replies
                values.append(value)
            elif kind == integer:
                values.append(int(value))
            elif kind == null:
                values.append(None)
            else:
                values.append(_cell(cell, graph, plain))
        out.append(dict(zip(names, values, strict=True)))
    return out
