"""The read timeout: one default for every read on every engine, and its one-line message.

Every read carries a timeout that the engine itself enforces (FalkorDB's per-query
``ro_query`` timeout, Neo4j's transaction timeout), so a read whose client gave up or
died stops on the server too, instead of holding a worker thread for good.  The default
is :data:`DEFAULT_READ_TIMEOUT_S`, or ``$REDGOV_READ_TIMEOUT`` (seconds, ``0`` = no
limit); ``redgov cypher --timeout`` and ``redgov audit --timeout`` override it per command.

>>> timed_out(2.5).args[0].split(";")[0]
'the query ran longer than the read timeout (2.5 s) and was stopped'
"""

from __future__ import annotations

import math
import os

from .base import StoreError

__all__ = ["DEFAULT_READ_TIMEOUT_S", "ENV", "ReadTimeout", "default_read_timeout",
           "parse_timeout", "timed_out"]

#: Room for every catalog question at province scale (the slowest, `brokers`, takes ~35 s
#: unscoped) on a busy machine; a dashboard or a scoped question needs far less.
DEFAULT_READ_TIMEOUT_S = 120.0
ENV = "REDGOV_READ_TIMEOUT"


class ReadTimeout(StoreError):
    """A read ran past its timeout and the engine stopped it."""


def parse_timeout(text: str | float, where: str = ENV) -> float:
    """Seconds as a non-negative finite number (``0`` = no limit), or :class:`StoreError`."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise StoreError(f"{where} must be a number of seconds (0 = no limit), not {text!r}")
    return value


def default_read_timeout() -> float:
    """``$REDGOV_READ_TIMEOUT`` when set, else :data:`DEFAULT_READ_TIMEOUT_S`."""
    env = os.environ.get(ENV)
    return parse_timeout(env) if env else DEFAULT_READ_TIMEOUT_S


def timed_out(seconds: float) -> ReadTimeout:
    return ReadTimeout(
        f"the query ran longer than the read timeout ({seconds:g} s) and was stopped; "
        f"narrow it (a scope, a LIMIT) or allow more time with --timeout or ${ENV}"
    )
