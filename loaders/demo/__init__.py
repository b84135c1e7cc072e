"""A realistic synthetic registry export (台账导出) for demos, tests and benchmarks.

>>> from redgov.loaders.demo import generate  # generate(out_dir, scale="district", seed=1)

``district`` is calibrated to Huli's published figures (docs/domain.md §6); ``city`` is
Xiamen's six districts; ``province`` one synthetic city root holding ≥ 50,000 compounds
and ≥ 1,000,000 people.  Every audit rule R1–R14 finds something in it.
"""

from .generate import SNAPSHOT, generate
from .geography import SCALES
from .summary import DemoSummary

__all__ = ["SCALES", "SNAPSHOT", "DemoSummary", "generate"]
