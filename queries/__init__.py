"""The audit catalog: one ``.cypher`` file per question, plus networkx analytics.

>>> from redgov.queries import get_question
>>> get_question("overdue_reelection").rules
['R13']
"""

from __future__ import annotations

from .catalog import Column, Param, Question, UnknownQuestion, catalog, get_question
from .runner import ParamError, QueryResult, run_question

__all__ = [
    "Column",
    "Param",
    "ParamError",
    "QueryResult",
    "Question",
    "UnknownQuestion",
    "catalog",
    "get_question",
    "run_question",
]
