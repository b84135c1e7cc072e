"""Issue 21: a pull survives every fault a network and a tired registry produce.

A real HTTP(S) server on 127.0.0.1 (``tests/pull_registry.py``) serves the history's
exports as zips.  Each test starts from export 1 synced by hand, then the registry offers
export 2 with one fault injected: the pull fails with one clear Chinese line, nothing is
published (the snapshot list is unchanged), the failure is counted in the status file;
then the fault is gone and the next pull publishes export 2 (the streak back to 0).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pull_registry import Registry, RegistryServer, tls_files, zip_export
from redgov.graph.snapshots import list_snapshots
from redgov.loaders import sync_export
from redgov.loaders.fetch import Retry
from redgov.loaders.pull import pull, read_status
from redgov.loaders.sources import HTTP, Source, add_source, remove_source

HISTORY = Path(__file__).parent / "fixtures" / "history"
EXPORTS = sorted(p for p in HISTORY.iterdir() if p.is_dir())
E1, E2 = zip_export(EXPORTS[0]), zip_export(EXPORTS[1])
FAST = Retry(attempts=3, first_s=0.01, cap_s=0.02)


def _zip_variant(body: bytes) -> bytes:
    """Export 2 with another export time and its files in another order: same data,
    other bytes from the first byte on (a re-export)."""
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(body)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in reversed(src.infolist()):
            data = src.read(info)
            if info.filename == "清单.csv":
                data = data.replace(b"2024-09-30 18:00:00", b"2024-09-30 19:30:00")
            dst.writestr(info, data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    return tls_files(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def registry() -> Iterator[tuple[Registry, RegistryServer]]:
    reg = Registry(body=E1)
    srv = RegistryServer(reg)
    yield reg, srv
    srv.close()


def _source(url: str, **kw: Any) -> Source:
    return Source(name="reg", kind=HTTP, location=url, scope="CITY1", schedule_s=3600,
                  timeout_s=1.0, **kw)


def _dates(store: Any) -> list[str]:
    return [s.date for s in list_snapshots(store.read)]


def _first_then_fault(store: Any, home: Path, reg: Registry) -> None:
    """Export 1 synced by hand (as a person would), then the registry offers export 2."""
    assert sync_export(store, EXPORTS[0]).status == "applied"
    reg.serve(E2)


def _recovers(store: Any, home: Path, reg: Registry, before: list[str]) -> None:
    reg.fault = None
    out = pull(store, home=home, retry=FAST)
    assert [o.status for o in out] == ["applied"], [o.line() for o in out]
    assert _dates(store) == [*before, "2024-09-30"], _dates(store)
    assert read_status(home)["sources"]["reg"]["failures_in_row"] == 0


FAULTS = {
    # fault: (what the server does, words the line must hold)
    "timeout": ("timeout", "超时"),
    "5xx": ("503", "HTTP 503"),
    "cut": ("cut", "连接中断"),
    "truncated-zip": ("truncate", "不是完整的压缩包"),
    "body-changes": ("swap", "摘要不符"),
    "etag-lies": ("lie", "摘要不符"),
    "too-large": ("huge", "上限"),
    "too-large-chunked": ("huge-chunked", "上限"),
    "redirect-other-host": ("redirect", "另一主机"),
    "coded-body": ("coded", "gzip 编码"),
}


@pytest.mark.parametrize("name", list(FAULTS))
def test_fault_changes_nothing_and_the_next_pull_recovers(
        store: Any, tmp_path: Path, registry: tuple[Registry, RegistryServer], name: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    reg, srv = registry
    fault, words = FAULTS[name]
    add_source(_source(srv.url), home=tmp_path)
    _first_then_fault(store, tmp_path, reg)
    before = _dates(store)
    if fault in ("swap", "lie"):
        reg.next_body = _zip_variant(E2)
        if fault == "lie":
            reg.fixed_etag = '"always-the-same"'
    if fault.startswith("huge"):
        reg.huge_bytes = len(E2) * 2
        monkeypatch.setenv("REDGOV_MAX_TOTAL_BYTES", str(reg.huge_bytes))
    if fault == "redirect":
        reg.redirect_to = f"http://localhost:{srv.port}/export.zip"
    if fault == "truncate":
        reg.sidecar = False
    reg.fault = fault
    out = pull(store, home=tmp_path, retry=FAST)
    assert [o.status for o in out] == ["failed"], [o.line() for o in out]
    line = out[0].line()
    assert words in line and "\n" not in line and "未写入任何数据" in line, line
    assert _dates(store) == before, _dates(store)
    status = read_status(tmp_path)["sources"]["reg"]
    assert status["failures_in_row"] == 1 and status["last_status"] == "failed", status
    assert not list((tmp_path / "pull" / "reg").glob("export-*")), "a partial export left"
    if fault.startswith("huge"):
        assert not (tmp_path / "pull" / "reg" / "download.part").exists()
    if fault == "cut":
        reg.log.clear()
    if fault in ("swap", "lie"):
        reg.serve(reg.next_body)
    _recovers(store, tmp_path, reg, before)
    if fault == "cut":  # the next pull resumed where the cut left off
        assert reg.ranges() and reg.ranges()[0] != "bytes=0-", reg.ranges()


def test_bad_certificate_then_ca_file(store: Any, tmp_path: Path,
                                      certs: tuple[Path, Path, Path]) -> None:
    """TLS is verified by default: a certificate from an unknown CA is refused; naming the
    registry's CA (--ca-file) makes the next pull work."""
    ca, cert, key = certs
    reg = Registry(body=E2)
    srv = RegistryServer(reg, (cert, key))
    try:
        assert sync_export(store, EXPORTS[0]).status == "applied"
        before = _dates(store)
        add_source(_source(srv.url), home=tmp_path)
        out = pull(store, home=tmp_path, retry=FAST)
        assert [o.status for o in out] == ["failed"], [o.line() for o in out]
        assert "证书" in out[0].line() and "--ca-file" in out[0].line(), out[0].line()
        assert _dates(store) == before
        remove_source("reg", home=tmp_path)
        add_source(_source(srv.url, ca_file=str(ca)), home=tmp_path)
        _recovers(store, tmp_path, reg, before)
    finally:
        srv.close()


def test_same_host_redirect_conditional_get_and_credentials(
        store: Any, tmp_path: Path, registry: tuple[Registry, RegistryServer]) -> None:
    """A redirect within the registry's own host is followed; without a digest file the
    ETag is sent back and a 304 is 'nothing new'; the bearer token goes in the header,
    never into the status file, the ledger or a line."""
    reg, srv = registry
    reg.sidecar = False
    add_source(_source(srv.url, auth="bearer"), {"token": "s3cret-token"}, home=tmp_path)
    out = pull(store, home=tmp_path, retry=FAST)
    assert [o.status for o in out] == ["applied"], [o.line() for o in out]
    assert any(h.get("Authorization") == "Bearer s3cret-token" for _, _, h in reg.log)
    out = pull(store, home=tmp_path, retry=FAST)
    assert [o.status for o in out] == ["nothing-new"], [o.line() for o in out]
    assert reg.log[-1][2].get("If-None-Match"), reg.log[-1]
    # the registry moves the export; a redirect on the same host is followed
    reg.serve(E2, sidecar=False)
    reg.fault, reg.redirect_to = "redirect", f"http://127.0.0.1:{srv.port}/export.zip?v=2"
    out = pull(store, home=tmp_path, retry=FAST)
    assert [o.status for o in out] == ["applied"], [o.line() for o in out]
    assert any("v=2" in p for _, p, _ in reg.log), reg.log
    for path in (tmp_path / "pull").rglob("*"):
        if path.is_file() and path.name != "source-secrets.json":
            assert b"s3cret" not in path.read_bytes(), path
    assert "s3cret" not in json.dumps(read_status(tmp_path), ensure_ascii=False)
    secrets = tmp_path / "source-secrets.json"
    assert oct(secrets.stat().st_mode & 0o777) == "0o600"
    assert os.stat(tmp_path / "pull").st_mode & 0o077 == 0


def test_basic_credentials_go_in_the_header_only(tmp_path: Path) -> None:
    """Basic credentials: sent as the Authorization header, nowhere in what is kept."""
    import base64

    from redgov.loaders.fetch import fetch_http
    from redgov.loaders.limits import Limits

    reg = Registry(body=E1)
    srv = RegistryServer(reg)
    try:
        got = fetch_http(_source(srv.url, auth="basic"), {"user": "clerk", "password": "pw-9z"},
                         tmp_path, Limits(), FAST)
    finally:
        srv.close()
    assert got.path is not None and got.path.read_bytes() == E1
    want = "Basic " + base64.b64encode(b"clerk:pw-9z").decode()
    assert {h.get("Authorization") for _, _, h in reg.log} == {want}, reg.log
    for path in tmp_path.rglob("*"):
        assert b"pw-9z" not in path.read_bytes(), path


def test_last_modified_only_registry(store: Any, tmp_path: Path,
                                     registry: tuple[Registry, RegistryServer]) -> None:
    """A server that sends Last-Modified and no ETag (and no digest file): the date is sent
    back as If-Modified-Since (a 304 is nothing new) and as If-Range when resuming."""
    reg, srv = registry
    reg.sidecar, reg.fixed_etag = False, ""
    reg.modified = "Sun, 30 Jun 2024 10:00:00 GMT"
    add_source(_source(srv.url), home=tmp_path)
    out = pull(store, home=tmp_path, retry=FAST)
    assert [o.status for o in out] == ["applied"], [o.line() for o in out]
    out = pull(store, home=tmp_path, retry=FAST)
    assert [o.status for o in out] == ["nothing-new"], [o.line() for o in out]
    sent = reg.log[-1][2]
    assert sent.get("If-Modified-Since") == reg.modified and "If-None-Match" not in sent, sent
    reg.serve(E2, sidecar=False)
    reg.modified, reg.fault = "Mon, 30 Sep 2024 10:00:00 GMT", "cut"
    out = pull(store, home=tmp_path, retry=FAST)
    assert [o.status for o in out] == ["failed"], [o.line() for o in out]
    assert _dates(store) == ["2024-06-30"]
    reg.log.clear()
    _recovers(store, tmp_path, reg, ["2024-06-30"])
    resumed = [h for _, p, h in reg.log if h.get("Range")]
    assert resumed and resumed[0].get("If-Range") == reg.modified, resumed
