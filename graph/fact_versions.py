"""What the two fact labels (:mod:`.compound_facts`, :mod:`.org_facts`) share: a fact's
signature, which facts a new snapshot changes, and how their reads are asked.

Both are versioned like every other node: a fact whose signature differs from the live
one's (or that is new) is created, and the live version of a changed or gone fact closed.
Kept in one place so the two labels cannot drift in what "changed" means.

The reads (:func:`read_texts`): the two labels are computed from seven whole-graph reads,
each answered by one server thread.  Asked one after another on the writer, the publish
step uses one core while the sync's other process (validation, finished by then) leaves
the second idle.  With ``read`` (the store's own, see ``compound_facts.facts_reader``:
Neo4j, where planning each text is most of the cost) they are asked :data:`READ_WORKERS`
at a time instead — a read sees what the writer committed (every write of a sync commits
as it goes, the texts pin ``$snapshot`` to the unpublished ordinal).  A read that the
store refuses or cuts (its read timeout) is asked again on the writer, which has none:
never a failed sync for it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from .stores.base import Row, StoreError

__all__ = ["READ_WORKERS", "changes", "fact_sig", "read_texts"]

#: Reads in flight at once: the two cores of the machines measured (issue 18).
READ_WORKERS = 2

Run = Callable[[str, Mapping[str, Any]], list[Row]]


def fact_sig(definition: int, fact: Mapping[str, Any]) -> str:
    """A fact's signature: its properties and the version of its definition (a changed
    definition re-creates every fact once)."""
    text = json.dumps([definition, sorted(fact.items())], ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def changes(facts: list[dict[str, Any]], current: Mapping[Any, str],
            key: str) -> tuple[list[dict[str, Any]], list[Any]]:
    """``(fresh, close)``: the facts to create (new, or signature changed) and the sorted
    keys of the live versions to close (changed or gone); ``current`` maps each live
    fact's ``key`` to its signature."""
    fresh = [f for f in facts if current.get(f[key]) != f["sig"]]
    gone = current.keys() - {f[key] for f in facts}
    return fresh, sorted({f[key] for f in fresh if f[key] in current} | gone)


def read_texts(texts: Mapping[str, str], params: Mapping[str, Any], run: Run,
               read: Run | None = None, workers: int = READ_WORKERS) -> dict[str, list[Row]]:
    """Each text's rows with ``params``: on ``run`` (a writer's, or a store's ``read``) one
    after another, or with ``read`` (the store's, while ``run`` is its writer's)
    ``workers`` at a time, in the order given (put the costliest first); a read that
    ``read`` refuses is asked again on ``run`` (see the module docstring)."""
    if read is None or workers < 2 or len(texts) < 2:
        return {name: run(text, params) for name, text in texts.items()}

    def ask(text: str) -> list[Row] | None:
        try:
            return read(text, params)
        except StoreError:  # its timeout, a refusal: the writer asks again below
            return None

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="facts") as pool:
        asked = {name: pool.submit(ask, text) for name, text in texts.items()}
        found = {name: future.result() for name, future in asked.items()}
    return {name: rows if rows is not None else run(texts[name], params)
            for name, rows in found.items()}
