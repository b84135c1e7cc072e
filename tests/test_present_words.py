"""Every Chinese word of the one vocabulary is Chinese (issue 19 §3): no code, no English
inside a Chinese sentence ("小区编码（compound_code）" becomes "小区编码"), every message
has both forms with the same placeholders, and every moment shown names Beijing time.
"""

from __future__ import annotations

import re
import string

import pytest
from redgov.dashboard.i18n import LABELS
from redgov.graph import display

from redgov.present import MESSAGES, format_moment, logtext
from redgov.present.clicktext import CLICK_ZH
from redgov.present.helptext import COMMANDS, OPTIONS
from redgov.present.leaks import english_words
from redgov.report import _L as WORKBOOK_WORDS

#: {placeholder} and {placeholder!r}: filled with values, not words.
_PLACEHOLDER = re.compile(r"\{[^{}]*\}|%\(\w+\)s")


def _pairs() -> dict[str, tuple[str, str]]:
    """Every (Chinese, English) pair of every table of the vocabulary, by a readable key."""
    out: dict[str, tuple[str, str]] = {}
    for domain, table in display.DOMAINS.items():
        out.update({f"display.{domain}.{code}": pair for code, pair in table.items()})
    out.update({f"display.FIELDS.{k}": v for k, v in display.FIELDS.items()})
    out.update({f"display.RULES.{k}": v for k, v in display.RULES.items()})
    out.update({f"messages.{k}": v for k, v in MESSAGES.items()})
    out.update({f"i18n.{k}": v for k, v in LABELS.items()})
    out.update({f"report.{k}": v for k, v in WORKBOOK_WORDS.items()})
    out.update({f"log.{k}": v for k, v in {**logtext.KEYS, **logtext.REASONS}.items()})
    return out


PAIRS = _pairs()
#: Chinese forms that hold English on purpose, with the reason.
_BILINGUAL = {
    "i18n.app.lang": "the language switch must be found by a reader of either language",
}
_CHINESE_ONLY = {k: v[0] for k, v in PAIRS.items() if k not in _BILINGUAL}


def _leaks(text: str) -> list[str]:
    return english_words(_PLACEHOLDER.sub(" ", text))


def test_no_chinese_form_holds_a_code_or_english() -> None:
    leaks = {key: _leaks(zh) for key, zh in _CHINESE_ONLY.items() if _leaks(zh)}
    assert leaks == {}, leaks


def test_help_and_click_words_hold_no_english() -> None:
    texts = {**{f"help.{k}": v for k, v in COMMANDS.items()},
             **{f"option.{k}": v for k, v in OPTIONS.items()},
             **{f"click.{k}": v for k, v in CLICK_ZH.items()}}
    leaks = {key: _leaks(text) for key, text in texts.items() if _leaks(text)}
    assert leaks == {}, leaks


def _fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


#: Messages whose Chinese form leaves out a value the English shows, with the reason.
_SHORTER_ZH = {
    "messages.audit.unknown_question": "names the command that lists the questions instead "
                                       "of printing every question's code",
}


@pytest.mark.parametrize("key", sorted(k for k in PAIRS if not k.startswith("display.")))
def test_both_forms_take_the_same_placeholders(key: str) -> None:
    zh, en = PAIRS[key]
    assert zh and en, (key, zh, en)
    if key in _SHORTER_ZH:
        assert _fields(zh) < _fields(en), (key, zh, en)
    else:
        assert _fields(zh) == _fields(en), (key, zh, en)


def test_the_example_of_the_issue_is_caught() -> None:
    assert english_words("小区编码（compound_code）") == ["compound_code"]
    assert english_words("小区编码") == []


def test_moments_name_their_zone() -> None:
    assert format_moment("2026-11-30T16:00:00Z") == "2026-12-01 00:00:00（北京时间）"
    assert format_moment("2026-11-30T16:00:00Z", "en").endswith("(Beijing time, UTC+8)")


def test_the_dashboard_shows_a_refusal_in_the_sessions_language(monkeypatch) -> None:
    """A store refusal on a dashboard page (a read past its timeout) reads in the session's
    language, escaped for Markdown like every registry text."""
    from redgov.dashboard import ui
    from redgov.graph.stores.timeouts import timed_out

    refusal = timed_out(2)
    monkeypatch.setattr(ui, "lang", lambda: "zh")
    assert ui.plain(refusal).startswith("查询超过读取时限（2 秒）"), ui.plain(refusal)
    monkeypatch.setattr(ui, "lang", lambda: "en")
    assert ui.plain(refusal).startswith(r"the query ran longer than the read timeout \(2 s\)"), \
        ui.plain(refusal)
    assert ui.plain("a (b)") == r"a \(b\)"  # plain text as before
