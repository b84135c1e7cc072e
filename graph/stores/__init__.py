"""Stores: one narrow protocol (``base.Store``), one adapter per engine, and ``open_store``."""

from .base import ReadOnlyViolation, Store, StoreError, StoreUnavailable, Writer
from .select import open_store, resolve_store_spec

__all__ = ["ReadOnlyViolation", "Store", "StoreError", "StoreUnavailable", "Writer", "open_store",
           "resolve_store_spec"]
