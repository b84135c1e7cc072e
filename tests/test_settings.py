"""Operator settings (graph/settings.py) are read when used and checked: a hostile value
gives the default and never breaks an import, a page or a sync."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from redgov.graph.settings import Setting, number, whole
from redgov.loaders import kept

from redgov.access import accounts, log, sessions

HOSTILE = ["", " ", "abc", "-5", "nan", "inf", "1e3", "0x10", "1_000", "٣٠", "３０", "5.",
           ".5", "1.2.3", "+5", "5 s", "1.23456", "9999999999", "12; rm -rf /"]
DECIMAL = Setting("REDGOV_TEST_DECIMAL", 7.5, 0.5, 100, "test")
WHOLE = Setting("REDGOV_TEST_WHOLE", 4, 1, 100, "test")


@pytest.mark.parametrize("value", HOSTILE)
def test_a_hostile_value_gives_the_default(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DECIMAL.env, value)
    monkeypatch.setenv(WHOLE.env, value)
    assert (number(DECIMAL), whole(WHOLE)) == (7.5, 4), value


def test_values_within_bounds_are_used_when_read(monkeypatch: pytest.MonkeyPatch) -> None:
    for text, dec, whl in ((" 12 ", 12.0, 12), ("0.5", 0.5, 4), ("100", 100.0, 100),
                           ("100.5", 7.5, 4), ("0.25", 7.5, 4), ("0", 7.5, 4)):
        monkeypatch.setenv(DECIMAL.env, text)
        monkeypatch.setenv(WHOLE.env, text)
        assert (number(DECIMAL), whole(WHOLE)) == (dec, whl), text
    assert whole(WHOLE, default=9) == 9  # out of bounds: the caller's default


def test_the_settings_that_use_it(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("REDGOV_IDLE_MINUTES", "REDGOV_SESSION_HOURS", "REDGOV_KEPT_ROWS",
                "REDGOV_ACCESS_LOG_FIELD_CHARS"):
        monkeypatch.setenv(var, "nan")
    assert (sessions.idle_s(), sessions.absolute_s()) == (15 * 60, 12 * 3600)
    assert kept.memo_max_rows() == kept.MEMO_MAX_ROWS
    assert log.Bounds.from_env().field_chars == log.Bounds.field_chars
    monkeypatch.setenv("REDGOV_IDLE_MINUTES", "0.1")  # six seconds, as the browser test sets
    monkeypatch.setenv("REDGOV_ACCESS_LOG_FIELD_CHARS", "64")
    assert sessions.idle_s() == pytest.approx(6.0) and log.Bounds.from_env().field_chars == 64


def test_imports_survive_hostile_values() -> None:
    """``REDGOV_LOGIN_HASHES`` is read at import (it sizes a semaphore); ``int()`` there
    used to stop every command that imported the accounts."""
    env = {**os.environ, "REDGOV_LOGIN_HASHES": "abc", "REDGOV_IDLE_MINUTES": "inf"}
    code = ("import redgov.access.accounts as a, redgov.access.sessions as s;"
            "print(a.HASHES_IN_FLIGHT, s.idle_s())")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-500:]
    assert done.stdout.split() == [str(accounts.LOGIN_HASHES.default), "900.0"], done.stdout
