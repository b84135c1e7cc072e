"""Moments as people read them: Beijing time (Asia/Shanghai), the zone always named.

The graph, the access log and the account records keep UTC (ISO text ending in ``Z``);
every place that shows a moment to a person goes through :func:`format_moment`, so no
screen or table shows UTC by accident and none leaves the reader guessing the zone.

>>> format_moment("2026-11-30T23:30:00Z")
'2026-12-01 07:30:00（北京时间）'
>>> format_moment("2026-11-30T23:30:00.123Z", "en")
'2026-12-01 07:30:00 (Beijing time, UTC+8)'
>>> format_moment(None), format_moment("not a time")
('', 'not a time')
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from ..graph.display import BEIJING, format_time

__all__ = ["BEIJING", "ZONE_LABEL", "format_moment", "format_time"]

#: How the zone is named after a moment (and in a column header that holds moments).
ZONE_LABEL: Final[dict[str, str]] = {"zh": "北京时间", "en": "Beijing time, UTC+8"}


def format_moment(value: str | datetime | None, lang: str = "zh") -> str:
    """``YYYY-MM-DD HH:MM:SS`` in Beijing time with the zone named; a text that is no
    moment is shown as it is (an old record's free text stays readable)."""
    if value is None or value == "":
        return ""
    try:
        shown = format_time(value, lang)
    except (ValueError, TypeError):
        return str(value)
    zone = ZONE_LABEL["en" if lang == "en" else "zh"]
    return f"{shown} ({zone})" if lang == "en" else f"{shown}（{zone}）"
