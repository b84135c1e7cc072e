"""A FalkorDB server preparing a fork refuses commands with ``BUSY preparing to fork``
(a province sync met it on its writers'-lock refresh after 40 minutes of writing and
lost the whole run).  The refusal comes before the command runs, so the store sends it
again; any other refusal is the caller's to see at once."""

from __future__ import annotations

import time

import pytest
import redis
from redgov.graph.stores.falkordb_store import _unbusy


def _refusing(times: int, message: str = "BUSY preparing to fork"):
    calls: list[float] = []

    def call() -> str:
        calls.append(time.monotonic())
        if len(calls) <= times:
            raise redis.ResponseError(message)
        return "OK"

    return call, calls


def test_a_busy_refusal_is_sent_again_until_it_runs() -> None:
    call, calls = _refusing(3)
    assert _unbusy(call, wait=10) == "OK"
    assert len(calls) == 4, calls


def test_another_refusal_is_not_sent_again() -> None:
    call, calls = _refusing(1, "Unknown function 'x'")
    with pytest.raises(redis.ResponseError, match="Unknown function"):
        _unbusy(call, wait=10)
    assert len(calls) == 1, calls


def test_a_server_busy_beyond_the_wait_is_reported() -> None:
    call, calls = _refusing(10_000)
    t0 = time.monotonic()
    with pytest.raises(redis.ResponseError, match="BUSY"):
        _unbusy(call, wait=0.3)
    assert 0.3 <= time.monotonic() - t0 < 3, calls
    assert len(calls) >= 2, calls
