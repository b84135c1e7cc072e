"""Numeric settings an operator may set in the environment, read when used and checked.

A setting such as ``REDGOV_LOCK_WAIT`` or ``REDGOV_KEPT_ROWS`` tunes a wait or a cache; it
must never stop a command.  Each used to be parsed where it was needed, some at import with
``float()``/``int()``: ``abc`` stopped the import before any message could name the
setting, ``nan``/``inf``/``-5`` were taken as they came, and a value set after the import
(a test, a long-lived dashboard) was never seen.  Here each is one :class:`Setting` with a
default and bounds; a value is used only when it is a plain ASCII decimal number (no sign,
exponent, separators or non-ASCII digits) within them, anything else gives the default.

Settings that choose behaviour rather than tune it (``REDGOV_FSYNC``, ``REDGOV_THREADS``)
are refused with a message instead: a wrong one there must not pass silently.

>>> import os
>>> os.environ["REDGOV_LOCK_WAIT"] = "30"; number(Setting("REDGOV_LOCK_WAIT", 600, 0, 900, ""))
30.0
>>> os.environ["REDGOV_LOCK_WAIT"] = "-5"; number(Setting("REDGOV_LOCK_WAIT", 600, 0, 900, ""))
600.0
>>> del os.environ["REDGOV_LOCK_WAIT"]
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

__all__ = ["Setting", "number", "whole"]

#: At most nine digits with at most one decimal point and three decimals; nothing else.
_DECIMAL = re.compile(r"[0-9]{1,9}(\.[0-9]{1,3})?")
_WHOLE = re.compile(r"[0-9]{1,9}")


@dataclass(frozen=True)
class Setting:
    """One setting: its variable, its default and the bounds a value must lie within."""

    env: str
    default: float
    low: float
    high: float
    why: str


def _text(setting: Setting) -> str:
    return os.environ.get(setting.env, "").strip()


def number(setting: Setting) -> float:
    """``setting``'s value now: a plain ASCII decimal within its bounds, else its default."""
    text = _text(setting)
    if text.isascii() and _DECIMAL.fullmatch(text):
        value = float(text)
        if setting.low <= value <= setting.high:
            return value
    return float(setting.default)


def whole(setting: Setting, default: int | None = None) -> int:
    """``setting``'s value now as a whole number within its bounds, else ``default`` (when
    given: a module constant a test may change) or the setting's own default."""
    text = _text(setting)
    if text.isascii() and _WHOLE.fullmatch(text):
        value = int(text)
        if setting.low <= value <= setting.high:
            return value
    return int(setting.default if default is None else default)
