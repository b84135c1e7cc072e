"""No raw ID number or phone in any output of a hostile sync.

Hostile exports put personal data where it does not belong (a shifted row, an ID number
typed into a name, a code or a date column, a phone in a role or a count); each is synced
through the real CLI, and every output is scanned: stdout and stderr (table and JSON),
the ``--errors-out`` CSV, ``sync-runs.jsonl``, and the dashboard's 同步 page (Streamlit
AppTest), which shows the log's errors and the runs' warnings.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from corpus import hostile
from redgov.graph.home import data_dir
from redgov.loaders.pii import find_pii
from redgov.loaders.runlog import LOG_FILE
from test_sync_support import RAW_PII

from redgov.cli import main

#: Every raw personal value the exports below carry (the fixture's and the injected ones).
RAW = (*RAW_PII, "350206198001011235", "35020619801301123X", "0592-5551234",
       "110105194912310021", "15912345678")

EXPORTS = {
    "shifted_row": hostile.shifted_row,
    "id_number_in_name": hostile.edited("人员", 2, "姓名", "350206198001011234"),
    "phone_in_role": hostile.edited("任职", 3, "职务", "委员13812345678"),
    "phone_in_count": hostile.edited("单位", 6, "户数", "13900001111"),
    "id_in_enum": hostile.edited("组织", 2, "状态", "35020619850208567X"),
    "id_wrong_shape": hostile.edited("人员", 2, "身份证号", "35020619801301123X"),
    "id_in_code": hostile.edited("人员", 3, "居住单位编码", "110105194912310021"),
    "id_in_date": hostile.edited("任职", 2, "开始日期", "110105194912310021"),
    "phone_in_visit_date": hostile.edited("走访", 2, "日期", "159 1234 5678"),
}
#: Applied with warnings (kept on the SyncRun node and shown on the 同步 page).
APPLIED = {
    "id_wrong_check_digit": hostile.edited("人员", 2, "身份证号", "350206198001011235"),
    "phone_wrong_shape": hostile.edited("人员", 3, "手机号", "0592-5551234"),
    "phone_as_header": hostile.renamed_header("人员", "手机号", "15912345678"),
}


#: A sync's fingerprint (32 hex digits) in the log: about one in 500 holds a run of
#: digits shaped like a mobile number, which is not personal data.
_FINGERPRINT = re.compile(r'"export_digest": "[0-9a-f]{32}"')


def _assert_clean(where: str, text: str) -> None:
    for raw in RAW:
        variants = {raw, raw.replace(" ", ""), raw.replace("-", "")}
        assert not any(v in text for v in variants), (where, raw)
    assert find_pii(_FINGERPRINT.sub("", text)) is None, (where, text[:2000])


@pytest.fixture(scope="module")
def synced_graph(engine: Any, tmp_path_factory: pytest.TempPathFactory
                 ) -> Iterator[tuple[str, dict[str, str]]]:
    """Run every hostile export through the CLI, once per engine for the module (twelve CLI
    syncs are the module's cost); yields the graph and each output's text by name.  Both
    tests only read what the syncs left."""
    from click.testing import CliRunner

    tmp_path = tmp_path_factory.mktemp("hostile")
    with engine.fresh_graph("module fixture hostile leaks") as graph, \
            pytest.MonkeyPatch.context() as mp:
        for key in ("REDGOV_STORE", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE"):
            mp.delenv(key, raising=False)  # as tests/conftest.py's _isolated_home does
        for key, value in engine.env(graph).items():
            mp.setenv(key, value)
        env = {**os.environ}
        outputs: dict[str, str] = {}
        for name, build in {**EXPORTS, **APPLIED}.items():
            folder = build(tmp_path / name)
            errors_csv = tmp_path / f"{name}-errors.csv"
            proc = subprocess.run(
                [sys.executable, "-m", "redgov", "sync", str(folder),
                 "--errors-out", str(errors_csv)],
                env=env, capture_output=True, text=True, timeout=120,
            )
            assert proc.returncode == (0 if name in APPLIED else 1), (name, proc.stdout,
                                                                     proc.stderr)
            assert "Traceback" not in proc.stderr, proc.stderr
            outputs[f"{name} stdout"] = proc.stdout
            outputs[f"{name} stderr"] = proc.stderr
            outputs[f"{name} errors.csv"] = errors_csv.read_text(encoding="utf-8-sig")
            if name in EXPORTS:  # rejected: run it again as JSON (applied runs are now unchanged)
                result = CliRunner().invoke(main, ["sync", str(folder), "--format", "json"])
                outputs[f"{name} json"] = result.output
                assert json.loads(result.output)["errors"], name
        outputs["sync-runs.jsonl"] = (data_dir() / LOG_FILE).read_text(encoding="utf-8")
        yield graph, outputs


@pytest.fixture
def synced(synced_graph: tuple[str, dict[str, str]]) -> dict[str, str]:
    return synced_graph[1]


@pytest.fixture
def redgov_env(engine: Any, synced_graph: tuple[str, dict[str, str]],
               monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The CLI's and the dashboard's environment for the module's graph (not a fresh one)."""
    for key, value in engine.env(synced_graph[0]).items():
        monkeypatch.setenv(key, value)
    return {**os.environ}


def test_no_raw_personal_data_in_any_output(synced: dict[str, str]) -> None:
    for where, text in synced.items():
        _assert_clean(where, text)
    # the checks did fire: each rejected export is listed with masked values
    assert "3502**********1234" in synced["id_number_in_name stdout"]
    assert "the row has 7 fields" in synced["shifted_row errors.csv"]
    assert "1101**********0021" in synced["id_in_code errors.csv"]
    assert "159****5678" in synced["phone_as_header stdout"]


def test_sync_page_shows_no_raw_personal_data(synced: dict[str, str], redgov_env: dict
                                              ) -> None:
    from streamlit.testing.v1 import AppTest
    from streamlit.util import calc_hash

    app = str(Path(__file__).resolve().parent.parent / "dashboard" / "pages" / "app.py")
    at = AppTest.from_file(app, default_timeout=60)
    at.run()
    at._page_hash = calc_hash("sync")
    at.run()
    assert not at.exception, at.exception
    frames = [d.value.to_csv() for d in at.dataframe]
    texts = [m.value for m in at.markdown]
    page = "\n".join(frames + texts)
    assert "159****5678" in page  # the last applied run's warning (a header), masked
    assert "3502**********1234" in page  # a rejected run's error from the log, masked
    _assert_clean("同步 page", page)
