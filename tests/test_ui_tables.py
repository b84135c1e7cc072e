"""Tables reach Streamlit in a form Arrow converts at the first try (dashboard.ui.table)."""
from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest
from redgov.dashboard.ui import arrow_ready


def test_a_column_of_numbers_and_blanks_becomes_text_and_converts() -> None:
    frame = pd.DataFrame({"依据行号": [12, "", 7], "名称": ["甲", "乙", "丙"], "数": [1, 2, 3]})
    with pytest.raises((pa.ArrowInvalid, pa.ArrowTypeError)):
        pa.Table.from_pandas(frame)  # what Streamlit would meet first
    ready = arrow_ready(frame)
    table = pa.Table.from_pandas(ready)
    assert list(ready["依据行号"]) == ["12", "", "7"], list(ready["依据行号"])
    assert table.column("数").type == pa.int64(), table.schema
    assert frame["依据行号"].tolist() == [12, "", 7], "the caller's frame is left as it was"


def test_frames_without_mixed_columns_and_other_data_pass_unchanged() -> None:
    frame = pd.DataFrame({"名称": ["甲", None], "数": [1.5, None]})
    assert arrow_ready(frame) is frame
    rows = [{"a": 1}]
    assert arrow_ready(rows) is rows
