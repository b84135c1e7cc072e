"""The read guard decides on the parsed name, whatever its spelling (issue 17).

Before: ```apoc.load.json`(…)`` — one back-ticked name holding the dots — reached the
engine while ``apoc.load.json(…)`` was refused (both engines resolve the quoted form to
the namespaced function: "Unknown function 'apoc.text.join'"), and Neo4j decodes unicode
escapes everywhere before parsing (``\\u0064bms.listConfig`` is ``dbms.listConfig``,
``\\u002f\\u002f`` a comment), which the guard did not.  Each spelling below is refused by
the guard on both engines, with the plain spelling's message.
"""

from __future__ import annotations

import pytest
from redgov.graph.stores.guard import RefusedRead, check_read, unescape

HOSTILE = [
    # back-ticks around the whole dotted name, or around some of its parts
    "RETURN `apoc.text.join`(['a'], '-') AS x",
    "RETURN `apoc.load.json`('http://127.0.0.1:1/') AS x",
    "RETURN `apoc`.`load`.`json`('x') AS x",
    "RETURN `apoc.load`.json('x') AS x",
    "RETURN apoc.`load.json`('x') AS x",
    "CALL `apoc.load.json`('x') YIELD value RETURN value",
    "CALL `dbms.components`() YIELD name RETURN name",
    "CALL `dbms`.`listConfig`()",
    "CALL ` dbms . listConfig `()",
    "RETURN ` apoc . load . json `('x') AS x",
    # spaces, newlines and comments between the parts
    "RETURN apoc . load . json ('x') AS x",
    "RETURN apoc\n.\tload\n.json('x') AS x",
    "RETURN apoc/* */./* */load.json('x') AS x",
    "RETURN apoc // c\n . load . json('x') AS x",
    "CALL dbms /* */ . listConfig()",
    # unicode escapes, decoded by Neo4j before parsing
    "RETURN \\u0061poc.load.json('x') AS x",
    "RETURN `\\u0061poc.load.json`('x') AS x",
    "CALL \\u0064bms.listConfig()",
    "CALL `\\u0064bms`.listConfig()",
    "\\u004cOAD CSV FROM 'http://127.0.0.1:1/' AS r RETURN r",
    "LOAD \\u0043SV FROM 'http://127.0.0.1:1/' AS r RETURN r",
    "RETURN 1 AS x \\u002f\\u002a hidden */ UNION LOAD CSV FROM 'x' AS r RETURN r AS x",
    "CALL db\\u002elabels() YIELD label CALL apoc.load.json('x') YIELD value RETURN value",
    "CALL dbms\\u002elistConfig()",
]

STILL_ALLOWED = [
    "CALL db.labels() YIELD label RETURN label",
    "CALL `db`.`labels`() YIELD label RETURN label",
    "RETURN `date`.`truncate`('day', date('2024-05-06')) AS d",
    "RETURN date . truncate('day', date('2024-05-06')) AS d",
    "MATCH (n:`LOAD CSV`) RETURN count(n) AS n",
    "RETURN '\\\\u0041' AS text",
    "RETURN toUpper('a') AS x",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_spellings_are_refused_on_both_engines(store, query: str) -> None:
    with pytest.raises(RefusedRead) as caught:
        store.read(query)
    message = str(caught.value)
    assert message.startswith("已拒绝：") and "\n" not in message, message
    assert caught.value.text("en").startswith("refused: "), caught.value.text("en")


@pytest.mark.parametrize("query", STILL_ALLOWED)
def test_plain_reads_still_pass(query: str) -> None:
    check_read(query)


def test_quoted_parts_name_the_same_procedure_as_the_plain_spelling() -> None:
    messages = set()
    for query in ("CALL dbms.listConfig()", "CALL `dbms`.`listConfig`()",
                  "CALL `dbms.listConfig`()", "CALL \\u0064bms . listConfig()"):
        with pytest.raises(RefusedRead) as caught:
            check_read(query)
        messages.add(str(caught.value))
    assert len(messages) == 1, messages


def test_quoted_date_truncate_runs_where_the_engine_has_it(store) -> None:
    """The allowed spelling with back-ticks is not only let through: it works (Neo4j; on
    FalkorDB ``date.truncate`` does not exist and the engine says so, one line)."""
    query = "RETURN `date`.`truncate`('day', date('2024-05-06')) AS d"
    if store.version().startswith("Neo4j"):
        assert [str(r["d"]) for r in store.read(query)] == ["2024-05-06"]
    else:
        with pytest.raises(Exception, match=r"date\.truncate") as caught:
            store.read(query)
        assert not isinstance(caught.value, RefusedRead)


def test_unescape_follows_javas_rule() -> None:
    assert unescape("\\u0064ate") == "date"
    assert unescape("\\\\u0064") == "\\\\u0064"  # an escaped backslash is not an escape
    assert unescape("\\\\\\u0064") == "\\\\d"
