"""Registry sync: read an export (folder, .zip, .xlsx), validate, diff, apply atomically.

>>> from redgov.loaders import sync_export  # sync_export(store, path, dry_run=False)
"""

from .report import Issue, SyncReport
from .sync import SyncRejected, sync_export

__all__ = ["Issue", "SyncRejected", "SyncReport", "sync_export"]
