"""Personal data: the keyed hash that lets exports be matched without storing ID numbers.

``身份证号`` values are hashed with HMAC-SHA256 under a key kept in the data directory
(``pii.key``, created 0600 on first use) or given as ``$REDGOV_PII_KEY``.  An unkeyed hash
would not do: Chinese ID numbers have so little entropy (region, birth date, sequence,
check digit) that every one of them can be hashed and looked up in minutes.

>>> h = Hasher(b"k" * 32)
>>> h.id_hash("350203199001011234") == h.id_hash(" 350203199001011234 ")
True
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import operator
import os
import re
import secrets
import time
import unicodedata
from datetime import date
from pathlib import Path

from ..graph.home import data_dir, open_private
from .normalise import clean_code, mask_id, mask_phone

__all__ = [
    "Hasher", "find_pii", "id_check_digit", "id_shape_ok", "load_key", "mask_pii",
    "normalise_id",
]

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
# Candidates inside any text: an 18-character ID number (17 digits and a digit or X) or a
# mainland mobile (1[3-9] and nine digits, optionally grouped 3-4-4 by spaces or dashes),
# not glued to further digits.
_ID_RUN = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")
_PHONE_RUN = re.compile(r"(?<![0-9])(?:\+?86[ -]?)?1[3-9][0-9](?:[ -]?[0-9]{4}){2}(?![0-9])")
_OLD_ID_RUN = re.compile(r"(?<![0-9])[0-9]{15}(?![0-9])")

KEY_FILE = "pii.key"


def load_key(home: Path | None = None) -> bytes:
    """``$REDGOV_PII_KEY`` (text), else ``<data dir>/pii.key``, created on first use."""
    env = os.environ.get("REDGOV_PII_KEY")
    if env:
        return env.encode()
    home = home or data_dir()
    path = home / KEY_FILE
    # Created 0600 from its first byte; another process may have created it first.
    with contextlib.suppress(FileExistsError), open_private(path, "x") as fh:
        fh.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


def id_check_digit(first17: str) -> str:
    """GB 11643's check character for the first 17 digits."""
    return _CHECK[sum(map(operator.mul, map(int, first17), _WEIGHTS)) % 11]


@functools.lru_cache(maxsize=1)
def _today(_hour: int) -> date:
    return date.today()


def _birth_ok(digits: str) -> bool:
    try:
        born = date(int(digits[6:10]), int(digits[10:12]), int(digits[12:14]))
    except ValueError:
        return False
    return born.year >= 1900 and born <= _today(int(time.time()) // 3600)


def id_shape_ok(value: str) -> bool:
    """18 characters: 17 digits with a real birth date, then a digit or ``X``."""
    v = value if (len(value) == 18 and value.isascii() and value.isalnum()
                  and not value.endswith("x")) else normalise_id(value)
    return (len(v) == 18 and v[:17].isdigit() and (v[17].isdigit() or v[17] == "X")
            and _birth_ok(v))


def _is_id(candidate: str) -> bool:
    v = candidate.upper()
    return id_shape_ok(v) and id_check_digit(v[:17]) == v[17]


def find_pii(text: str) -> str | None:
    """``"id"`` or ``"phone"`` when ``text`` holds an ID number (valid birth date and check
    digit) or a mobile phone number anywhere in it, else None."""
    if not any(c.isdigit() for c in text):
        return None
    folded = unicodedata.normalize("NFKC", text)
    if any(_is_id(m.group()) for m in _ID_RUN.finditer(folded)):
        return "id"
    if _PHONE_RUN.search(folded):
        return "phone"
    return None


def mask_pii(text: str) -> str:
    """Every ID-shaped run (18 or 15 digits, valid or not) and mobile-shaped run masked.

    Deliberately broader than :func:`find_pii`: a value shown in an error, a log or a page
    must not carry a raw number even when its check digit is wrong.
    """
    if sum(c.isdigit() for c in text) < 11:
        return text
    folded = unicodedata.normalize("NFKC", text)
    folded = _ID_RUN.sub(lambda m: mask_id(m.group().upper()), folded)
    folded = _OLD_ID_RUN.sub(lambda m: mask_id(m.group()), folded)
    return _PHONE_RUN.sub(lambda m: mask_phone(re.sub(r"[^0-9]", "", m.group())[-11:]), folded)


def normalise_id(value: str) -> str:
    """ID numbers compare on their space-free, upper-case (check digit ``X``) form."""
    return clean_code(value).upper()


class Hasher:
    """HMAC-SHA256 under one key, with the key's inner and outer pad states computed once
    (RFC 2104): per value two ``copy()`` + ``update`` instead of a new HMAC object —
    2.5× cheaper, and the same digest as ``hmac.new(key, value, sha256)``."""

    def __init__(self, key: bytes) -> None:
        self._key = key
        block = key if len(key) <= _BLOCK else hashlib.sha256(key).digest()
        block = block.ljust(_BLOCK, b"\0")
        self._inner = hashlib.sha256(block.translate(_IPAD))
        self._outer = hashlib.sha256(block.translate(_OPAD))

    def _hmac(self, data: bytes) -> str:
        inner = self._inner.copy()
        inner.update(data)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()

    def id_hash(self, value: str) -> str:
        """HMAC-SHA256 (hex) of the normalised ID number under the key's bytes."""
        return self._hmac(normalise_id(value).encode())

    def phone_hash(self, value: str) -> str:
        """Only for change detection (part of a person's ``sig``); never stored on its own."""
        return self._hmac(("phone:" + clean_code(value)).encode())


_BLOCK = 64  # SHA-256's block size
_IPAD = bytes(x ^ 0x36 for x in range(256))
_OPAD = bytes(x ^ 0x5C for x in range(256))
