"""What the two fact labels (:mod:`.compound_facts`, :mod:`.org_facts`) share: a fact's
signature and which facts a new snapshot changes.

Both are versioned like every other node: a fact whose signature differs from the live
one's (or that is new) is created, and the live version of a changed or gone fact closed.
Kept in one place so the two labels cannot drift in what "changed" means.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

__all__ = ["changes", "fact_sig"]


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
