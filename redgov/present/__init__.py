"""The presentation layer: every word a person reads, in Chinese by default.

One vocabulary, looked up one way (a key or a code → its Chinese and English forms, read
by :func:`pick` / :func:`lookup`):

- codes the model stores (levels, kinds, findings …) and record fields:
  :mod:`redgov.graph.display` (:func:`display`, :func:`term`, :func:`field_label`);
- the command line's own messages: :mod:`.messages` (:func:`word`);
- the command line's ``--help`` and click's own sentences: :mod:`.helptext`,
  :mod:`.clicktext`, applied by :mod:`.cli` (``redgov`` is a :class:`.cli.RedgovGroup`);
- times: :func:`format_time` (Beijing time, zone shown).

The dashboard's page labels (``dashboard/i18n.py``) and the workbook's words
(``redgov/report.py``) are tables of the same shape read through the same kind of lookup.
"""

from __future__ import annotations

from ..graph.display import display, field_label, format_date, format_rate, term
from .messages import MESSAGES, lookup, pick, say, word
from .times import ZONE_LABEL, format_moment, format_time

__all__ = [
    "MESSAGES",
    "ZONE_LABEL",
    "display",
    "field_label",
    "format_date",
    "format_moment",
    "format_rate",
    "format_time",
    "lookup",
    "pick",
    "say",
    "term",
    "word",
]
