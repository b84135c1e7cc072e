"""Registry sync: read an export (folder, .zip, .xlsx), validate, diff, apply atomically.

>>> from redgov.loaders import sync_export  # sync_export(store, path, dry_run=False)

The names below are loaded on first use, so the pure declarations (``loaders.schema``,
which graph/display.py reads its field labels from) import without the whole sync.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["Issue", "SyncRejected", "SyncReport", "sync_export"]

_HOME = {"Issue": ".report", "SyncReport": ".report", "SyncRejected": ".sync",
         "sync_export": ".sync"}


def __getattr__(name: str) -> Any:
    if name in _HOME:
        return getattr(importlib.import_module(_HOME[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
