"""How long the FalkorDB store and the embedded server wait, each read when it is used.

Every one has a default and may be set in the environment for one command
(``REDGOV_LOCK_WAIT=30 redgov sync …``).  They were read when the module was imported,
with ``float()``: a value such as ``abc`` stopped every command at import (before any
message could say which setting was wrong), ``nan``/``inf``/``-5`` were taken as they came
(``nan`` made every wait end at once, ``inf`` wait for ever), and a value set after the
import (a test, a long-lived process) was never seen.  Now each is read when a wait starts
and used only when it is an ASCII decimal number within the setting's bounds; anything
else gives the default (a wait's length must not stop a sync): graph/settings.py, which
reads every such setting.

>>> import os
>>> os.environ["REDGOV_LOCK_WAIT"] = "30"; lock_wait_s()
30.0
>>> os.environ["REDGOV_LOCK_WAIT"] = "-5"; lock_wait_s()
600.0
>>> del os.environ["REDGOV_LOCK_WAIT"]
"""

from __future__ import annotations

from ..settings import Setting, number

__all__ = ["BUSY_WAIT", "FORK_WAIT", "LOCK_WAIT", "PROBE_TIMEOUT", "WAITS", "Wait",
           "busy_wait_s", "fork_wait_s", "lock_wait_s", "probe_timeout_s", "seconds"]

#: A wait is a setting in seconds (graph/settings.py reads and checks every setting).
Wait = Setting

#: A writer waiting for another writer's lock on the same graph.
LOCK_WAIT = Wait("REDGOV_LOCK_WAIT", 600.0, 0.0, 86_400.0,
                 "a writer waits for another writer's lock on the graph")
#: A graph copy waiting for an AOF rewrite (or another fork) to end.
FORK_WAIT = Wait("REDGOV_FORK_WAIT", 600.0, 0.0, 86_400.0,
                 "a graph copy waits for a running AOF rewrite to end")
#: A command refused ``BUSY`` (the server preparing a fork) sent again.
BUSY_WAIT = Wait("REDGOV_BUSY_WAIT", 300.0, 0.0, 86_400.0,
                 "a command refused BUSY is sent again")
#: A live embedded server's time to answer before it is reported as unresponsive.
PROBE_TIMEOUT = Wait("REDGOV_PROBE_TIMEOUT", 5.0, 0.1, 600.0,
                     "a live embedded server may take to answer")
WAITS = (LOCK_WAIT, FORK_WAIT, BUSY_WAIT, PROBE_TIMEOUT)


def seconds(wait: Wait) -> float:
    """``wait``'s value from the environment now (see :func:`..settings.number`)."""
    return number(wait)


def lock_wait_s() -> float:
    return seconds(LOCK_WAIT)


def fork_wait_s() -> float:
    return seconds(FORK_WAIT)


def busy_wait_s() -> float:
    return seconds(BUSY_WAIT)


def probe_timeout_s() -> float:
    return seconds(PROBE_TIMEOUT)
