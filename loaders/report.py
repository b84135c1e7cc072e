"""What a sync tells its caller: the problems found (:class:`Issue`) and the :class:`SyncReport`.

An issue points at one cell as the clerk sees it — table, row (header = row 1), column and
value — and says what is wrong in Chinese and in English.  Personal data never appears in
an issue: the value of a ``身份证号`` or ``手机号`` cell is masked before it gets here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .pii import mask_pii

__all__ = ["APPLIED", "DRY_RUN", "REJECTED", "UNCHANGED", "Issue", "SyncReport"]

APPLIED, UNCHANGED, REJECTED, DRY_RUN = "applied", "unchanged", "rejected", "dry-run"
COUNT_KEYS = ("added", "changed", "retired", "unchanged")


@dataclass(frozen=True)
class Issue:
    """One error or warning, at a cell (``row``/``column`` are None for a whole table)."""

    table: str
    row: int | None
    column: str | None
    value: str | None
    reason_zh: str
    reason_en: str

    def __post_init__(self) -> None:
        # The last line of defence: whatever a check put here, a value (or a header) shaped
        # like an ID number or a phone leaves only masked — for errors, logs and pages alike.
        for name in ("value", "column"):
            text = getattr(self, name)
            if text is not None:
                object.__setattr__(self, name, mask_pii(str(text)))

    @property
    def reason(self) -> str:
        return f"{self.reason_zh} / {self.reason_en}"

    def to_json(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "reason": self.reason,
            "reason_zh": self.reason_zh,
            "reason_en": self.reason_en,
        }


@dataclass
class SyncReport:
    """The outcome of one sync; ``to_json()`` is the ``--format json`` object."""

    status: str
    run_id: str
    path: str
    snapshot_date: str | None = None
    kind: str | None = None
    source: str | None = None
    exported_at: str | None = None
    changes: dict[str, dict[str, int]] = field(default_factory=dict)
    warnings: list[Issue] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)
    duration_s: float = 0.0
    started_at: str | None = None
    finished_at: str | None = None
    writes: int = 0  # rows sent to the graph (0 for unchanged, rejected, dry-run)
    export_digest: str | None = None  # fingerprint of the export's bytes (see sync.py)
    records: dict[str, int] = field(default_factory=dict)  # records per table in the export
    #: Wall seconds per phase (read, validate, diff, write, publish …; loaders/progress.py).
    phases: dict[str, float] = field(default_factory=dict)
    #: The compound facts written before publishing (graph/compound_facts.write_facts):
    #: compounds, created, closed, compute_s, write_s.  Benchmarks read it; not in the JSON.
    facts: dict[str, Any] = field(default_factory=dict)
    #: Where the time went inside the phases (seconds: state read, validation and its CPU,
    #: spool writes and reads, waiting for the engine …), for benchmarks; not recorded.
    split: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status != REJECTED

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "run_id": self.run_id,
            "snapshot_date": self.snapshot_date,
            "kind": self.kind,
            "source": self.source,
            "changes": self.changes,
            "warnings": [w.to_json() for w in self.warnings],
            "errors": [e.to_json() for e in self.errors],
            "duration_s": round(self.duration_s, 3),
            "phases": dict(self.phases),
        }
