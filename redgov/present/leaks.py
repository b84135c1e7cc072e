"""Find English left behind in text meant for a Chinese reader.

A Chinese screen may still hold Latin letters a person types or recognises: option names
(``--store``), placeholders of values (``YYYY-MM-DD``), codes one chooses between
(``[zh|en]``, ``table``), paths and addresses, environment variables, product names
(FalkorDB, Excel) and the values the reader typed (``'bogus'``).  Anything else in Latin
letters is English that leaked.  :func:`english_words` returns those words; the tests run
it over every help page, every click error and every Chinese message.

>>> english_words("错误：缺少选项 '--role'。")
[]
>>> english_words("Error: Missing option '--role'.")
['Error', 'Missing', 'option']
>>> english_words("小区编码（compound_code）")
['compound_code']
"""

from __future__ import annotations

import re
from typing import Final

from ..graph.display import english_codes

__all__ = ["ALLOWED", "english_words"]

#: Latin words a Chinese text may hold: names of products and formats, and the codes a
#: person types as option values (they are shown as the code to type, in [a|b] or as is).
ALLOWED: Final = frozenset({
    # products, formats, protocols
    "redgov", "Cypher", "FalkorDB", "Neo4j", "CSV", "XLSX", "JSON", "TLS", "PEM", "HTTP",
    "HTTPS", "UTF", "BOM", "Excel", "Streamlit", "systemd", "Debian", "OpenID", "Connect",
    "CA", "UUID", "Chromium", "Ctrl",
    # option values a person types
    "zh", "en", "table", "json", "csv", "xlsx", "auto", "plain", "none", "latest",
    "embedded", "district", "city", "province", "viewer", "auditor", "admin", "bearer",
    "basic", "project", "company", "committee", "person", "all",
    # durations and placeholders of values (1h, 15m, YYYY-MM-DD, N)
    "YYYY", "MM", "DD", "THH", "HH", "N", "x",
})

_SPANS: Final = [
    re.compile(r"`[^`]*`"),                      # code in backticks
    re.compile(r"\bredgov(\s+[a-z][a-z-]*){0,2}"),  # a command line to type: redgov user add
    re.compile(r"\bCtrl-[A-Z]\b"),              # a key to press
    re.compile(r"'[^']*'|\"[^\"]*\""),           # a value the reader typed, quoted back
    re.compile(r"[A-Za-z][\w+.-]*://\S*"),       # addresses
    re.compile(r"(?<![\w-])--?[A-Za-z][\w-]*"),  # option names
    re.compile(r"\$[A-Z_][A-Z0-9_]*"),           # environment variables
    re.compile(r"\[[\w|-]+\]"),                  # a choice list [zh|en]
    re.compile(r"[\w.-]*[/\\][\w./\\*-]*"),      # paths
    re.compile(r"[\w-]*\.[A-Za-z][\w.]*"),        # file names and extensions, settings
    re.compile(r"\b\w+=\w+"),                    # k=v
    re.compile(r"\b\d+[A-Za-z]+\b"),             # 1h, 15m, 30m
    # REDGOV_STORE, a grade (B), a placeholder (N)
    re.compile(r"(?<![A-Za-z0-9_])[A-Z][A-Z0-9_]*(?![A-Za-z0-9_])"),
]
#: Lines of Cypher (an example to paste): code, not prose.
_CODE_LINE: Final = re.compile(r"\b(MATCH|RETURN|AND|coalesce)\b")
_WORD: Final = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def english_words(text: str) -> list[str]:
    """The Latin words in ``text`` that are neither allowed tokens nor typed values."""
    found: list[str] = []
    for line in text.splitlines():
        if _CODE_LINE.search(line):
            continue
        for span in _SPANS:
            line = span.sub(" ", line)
        found.extend(w for w in _WORD.findall(line)
                     if w not in ALLOWED and not (w in english_codes() and len(w) <= 2))
    return found
