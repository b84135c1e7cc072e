"""Why a row is in an answer: ``redgov audit NAME --explain KEY`` and the dashboard's evidence.

The row is found by its first key column (a compound code, a committee code, a person
code …), then the facts that rule reads about that key are listed with their provenance
(:func:`.facts.explain_facts`): for a compound its organisations, their posts, the
residents counted, the supervisions and contracts; for an organisation or a person its
own posts, members, affiliations and supervisions.  Both the row and the facts are read
from the same snapshot and as of the same date, so the evidence is what the answer saw.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..graph.snapshots import Snapshot, resolve
from ..graph.stores.base import Store
from .catalog import Question, get_question
from .facts import Fact, NotFound, Subject, explain_facts
from .runner import ParamError, run_question

__all__ = ["Explanation", "explain"]


@dataclass
class Explanation:
    question: Question
    key: str
    params: dict[str, Any]
    rows: list[dict[str, Any]]
    subject: Subject
    facts: list[Fact]

    def to_json(self) -> dict[str, Any]:
        subject = self.subject.to_json()
        subject.pop("facts")
        return {"query": self.question.name, "key": self.key, "params": self.params,
                "rows": self.rows, "findings": [self.question.is_finding(r) for r in self.rows],
                "subject": subject, "facts": [f.to_json() for f in self.facts]}


def explain(store: Store, name: str, key: str, params: Mapping[str, Any] | None = None, *,
            snapshot: Snapshot | None = None, account_scope: str | None = None) -> Explanation:
    """The rows of question ``name`` whose first column is ``key``, and their evidence.

    Raises :class:`ParamError` (a usage error) when no row has that key — the message says
    which column was looked in — or when the key names no unit, organisation or person.
    """
    question = get_question(name)
    snap = snapshot or resolve(store.read, None)
    if snap is None:
        raise ParamError("没有已发布的快照：图中还没有同步过数据")
    result = run_question(store, name, params, snapshot=snap, account_scope=account_scope)
    column = question.columns[0]
    rows = [r for r in result.rows if str(r.get(column.name)) == key]
    if not rows:
        raise ParamError(f"“{question.title_zh}”的答案中没有{column.title_zh}为 {key} 的行",
                         en=f"the answer of {name} has no row whose {column.name} is {key}")
    try:
        subject, facts = explain_facts(store, key, snap, result.params["as_of"])
    except NotFound:
        raise ParamError(f"快照 {snap.date} 中没有编码为 {key} 的单位、组织或人员") from None
    return Explanation(question, key, result.params, rows, subject, facts)
