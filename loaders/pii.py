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
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from ..graph.home import data_dir, open_private
from .normalise import clean_code

__all__ = ["Hasher", "load_key", "normalise_id"]

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


def normalise_id(value: str) -> str:
    """ID numbers compare on their space-free, upper-case (check digit ``X``) form."""
    return clean_code(value).upper()


class Hasher:
    def __init__(self, key: bytes) -> None:
        self._key = key

    def id_hash(self, value: str) -> str:
        """HMAC-SHA256 (hex) of the normalised ID number under the key's bytes."""
        return hmac.new(self._key, normalise_id(value).encode(), hashlib.sha256).hexdigest()

    def phone_hash(self, value: str) -> str:
        """Only for change detection (part of a person's ``sig``); never stored on its own."""
        text = "phone:" + clean_code(value)
        return hmac.new(self._key, text.encode(), hashlib.sha256).hexdigest()
