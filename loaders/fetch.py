"""Fetching an export from a pull source into a private area, complete and checked.

Nothing here touches the graph.  Each source has a folder ``<data dir>/pull/<name>/``
(0700): a download grows there as ``download.part`` (never handed to a sync), and only a
complete file whose digest checked out is renamed to ``export-<sha256>.zip|xlsx`` and
returned.  ``ledger.json`` there keeps the validators (``ETag``, ``Last-Modified``) and the
SHA-256 digests of the exports already taken.

**Digest convention.** A registry may publish the SHA-256 of an export beside it: for a
URL ``…/export.zip`` at ``…/export.zip.sha256``, for a dropped file ``NAME.zip`` as
``NAME.zip.sha256`` in the same folder — the ``sha256sum`` format (64 hex digits, then
anything).  When one is there, the export must match it (else the pull fails and the
download is thrown away), and it is also how a changed export is noticed even when the
server's ``ETag`` says otherwise.

HTTP: ``If-None-Match`` / ``If-Modified-Since`` (only when no digest file is published),
resumable with ``Range`` + ``If-Range``, at most :attr:`Limits.total_bytes` bytes (the
sync's own limit on a whole export), TLS verified (``ca_file`` to trust a registry's own
CA), redirects followed only to the same scheme, host and port, retries with exponential
backoff on timeouts, resets, cut bodies and 5xx answers.

Folder: only ``.zip``, ``.xlsx`` and ``.xlsm`` files, never a temporary name (a leading
``.`` or ``~``, or ``.tmp``, ``.part``, ``.partial``, ``.crdownload``, ``.filepart``,
``.download``); a file is read once its size and modification time stayed the same over
``settle_s`` seconds, and it is copied (and hashed) before it is used, the copy refused if
the file changed meanwhile.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
import urllib3

from ..graph.home import data_dir, open_private, private_dir, write_private
from .limits import Limits
from .sources import Source

__all__ = [
    "DIGEST_SUFFIX", "Fetched", "Ledger", "PullFailed", "Retry", "fetch_folder", "fetch_http",
    "ledger", "pull_root", "save_ledger", "source_dir",
]

DIGEST_SUFFIX = ".sha256"
EXPORT_SUFFIXES = (".zip", ".xlsx", ".xlsm")
TEMP_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload", ".filepart", ".download",
                 ".swp", DIGEST_SUFFIX)
PART = "download.part"
PART_META = "download.part.json"
LEDGER = "ledger.json"
#: Digests remembered per source (older ones are still recognised by their SyncRun).
DONE_KEPT = 500
_HEX = re.compile(r"\b([0-9a-fA-F]{64})\b")
_CHUNK = 1 << 16
_MAX_REDIRECTS = 5
_TRANSIENT_STATUS = {408, 429, 500, 502, 503, 504}


class PullFailed(Exception):
    """A fetch that cannot go on; ``transient`` faults are retried, others are not."""

    def __init__(self, zh: str, en: str, *, transient: bool = False, keep_part: bool = False
                 ) -> None:
        super().__init__(en)
        self.zh, self.en, self.transient, self.keep_part = zh, en, transient, keep_part


@dataclass
class Retry:
    """Attempts per fetch and the backoff between them (doubling, capped)."""

    attempts: int = 4
    first_s: float = 1.0
    cap_s: float = 30.0
    sleep: Callable[[float], None] = time.sleep

    def delays(self) -> list[float]:
        return [min(self.cap_s, self.first_s * 2 ** i) for i in range(self.attempts - 1)]


@dataclass
class Fetched:
    """A complete, checked export (``path``), or why there is none this time."""

    path: Path | None
    sha256: str | None = None
    note_zh: str = ""
    note_en: str = ""
    waiting: bool = False  # a dropped file not stable yet
    validators: dict[str, str] = field(default_factory=dict)
    origin: str = ""


Ledger = dict[str, Any]


def pull_root(home: Path | None = None) -> Path:
    return private_dir((home or data_dir()) / "pull")


def source_dir(name: str, home: Path | None = None) -> Path:
    return private_dir(pull_root(home) / name)


def ledger(folder: Path) -> Ledger:
    with contextlib.suppress(FileNotFoundError, ValueError):
        data = json.loads((folder / LEDGER).read_text("utf-8"))
        if isinstance(data, dict):
            return data
    return {}


def save_ledger(folder: Path, data: Ledger) -> None:
    data["done"] = list(data.get("done") or [])[-DONE_KEPT:]
    write_private(folder / LEDGER, json.dumps(data, ensure_ascii=False, indent=1))


def _too_big(limit: int) -> PullFailed:
    return PullFailed(f"导出超过 {limit} 字节的上限（REDGOV_MAX_TOTAL_BYTES），未下载",
                      f"the export exceeds {limit} bytes (REDGOV_MAX_TOTAL_BYTES); not fetched")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(_CHUNK), b""):
            h.update(block)
    return h.hexdigest()


def _parse_digest(text: str) -> str | None:
    m = _HEX.search(text)
    return m.group(1).lower() if m else None


def check_container(path: Path, limits: Limits) -> None:
    """The file is a whole zip (an .xlsx is one too): its directory reads and every entry's
    checksum holds — a truncated or spliced download fails here, before any sync."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            total = sum(i.file_size for i in infos)
            if total > limits.total_bytes:
                raise PullFailed(
                    f"导出解压后超过 {limits.total_bytes} 字节的上限（REDGOV_MAX_TOTAL_BYTES）",
                    f"the export exceeds {limits.total_bytes} bytes once decompressed")
            bad = zf.testzip()
    except PullFailed:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError,
            RuntimeError):
        raise PullFailed("下载的导出不是完整的压缩包（文件被截断或已损坏）",
                         "the export fetched is not a whole zip (truncated or damaged)"
                         ) from None
    if bad is not None:
        raise PullFailed("下载的导出已损坏（压缩包条目校验和不符）",
                         "the export fetched is damaged (an entry's checksum does not match)")


def _suffix(name: str) -> str:
    lower = name.lower()
    for s in EXPORT_SUFFIXES:
        if lower.endswith(s):
            return s
    return ".zip"


def _finish(folder: Path, part: Path, sha: str, name: str) -> Path:
    final = folder / f"export-{sha[:16]}{_suffix(name)}"
    os.replace(part, final)
    return final


# -- HTTP ------------------------------------------------------------------------------


class _Http:
    def __init__(self, source: Source, secret: dict[str, str], limits: Limits) -> None:
        self.source, self.limits = source, limits
        self.session = requests.Session()
        # No proxies, .netrc or CA bundles from the environment: what the source says.
        self.session.trust_env = False
        self.session.verify = source.ca_file or True
        self.headers = {"User-Agent": "redgov-pull/1", "Accept-Encoding": "identity"}
        if source.auth == "bearer" and secret.get("token"):
            self.headers["Authorization"] = f"Bearer {secret['token']}"
        self.auth = ((secret.get("user", ""), secret.get("password", ""))
                     if source.auth == "basic" else None)
        self.origin = _origin(source.location)

    def get(self, url: str, headers: dict[str, str]) -> requests.Response:
        """GET with redirects followed only within the source's own origin."""
        for _ in range(_MAX_REDIRECTS + 1):
            try:
                resp = self.session.get(
                    url, headers={**self.headers, **headers}, auth=self.auth, stream=True,
                    allow_redirects=False, timeout=(min(self.source.timeout_s, 10.0),
                                                    self.source.timeout_s))
            except requests.exceptions.SSLError:
                raise PullFailed("服务器证书未通过校验（TLS），未下载；如注册系统使用自己的 CA，"
                                 "请用 --ca-file 指定",
                                 "the server's certificate did not verify (TLS); nothing "
                                 "fetched (name the registry's CA with --ca-file)") from None
            except requests.exceptions.Timeout:
                raise PullFailed("连接注册系统超时", "the registry timed out",
                                 transient=True) from None
            except requests.exceptions.ConnectionError:
                raise PullFailed("无法连接注册系统（连接被拒绝或中断）",
                                 "cannot reach the registry (refused or reset)",
                                 transient=True) from None
            except requests.exceptions.RequestException as exc:
                raise PullFailed(f"请求失败：{type(exc).__name__}",
                                 f"the request failed: {type(exc).__name__}") from None
            if resp.status_code in (301, 302, 303, 307, 308):
                target = urljoin(url, resp.headers.get("Location", ""))
                resp.close()
                if _origin(target) != self.origin:
                    host = urlsplit(target).hostname or "?"
                    raise PullFailed(f"注册系统重定向到另一主机（{host}），拒绝跟随",
                                     f"the registry redirected to another host ({host}); "
                                     "not followed")
                url = target
                continue
            return resp
        raise PullFailed("重定向次数过多", "too many redirects")


def _origin(url: str) -> tuple[str, str, int | None]:
    p = urlsplit(url)
    port = p.port or (443 if p.scheme == "https" else 80)
    return (p.scheme, (p.hostname or "").lower(), port)


def _status_error(resp: requests.Response) -> PullFailed:
    code = resp.status_code
    if code in _TRANSIENT_STATUS:
        return PullFailed(f"注册系统暂时不可用（HTTP {code}）",
                          f"the registry is unavailable (HTTP {code})", transient=True)
    if code in (401, 403):
        return PullFailed(f"注册系统拒绝访问（HTTP {code}），请检查凭据",
                          f"the registry refused access (HTTP {code}): check the credentials")
    if code == 404:
        return PullFailed("注册系统上没有该导出（HTTP 404）",
                          "the registry has no export there (HTTP 404)")
    return PullFailed(f"注册系统返回了意外的应答（HTTP {code}）",
                      f"the registry answered HTTP {code}")


def _sidecar(http: _Http, url: str) -> str | None:
    resp = http.get(url + DIGEST_SUFFIX, {})
    with resp:
        if resp.status_code in (404, 410):
            return None
        if resp.status_code != 200:
            raise _status_error(resp)
        try:
            text = resp.raw.read(4096, decode_content=True).decode("ascii", "replace")
        except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError, OSError):
            raise PullFailed("读取摘要文件时连接中断", "the digest file was cut off",
                             transient=True) from None
    digest = _parse_digest(text)
    if digest is None:
        raise PullFailed(f"摘要文件 {DIGEST_SUFFIX} 不含 SHA-256 值",
                         f"the {DIGEST_SUFFIX} file holds no SHA-256 digest")
    return digest


def _blocks(resp: requests.Response) -> Iterator[bytes]:
    """The body as it arrives, as sent (identity only, checked by the caller): ``read1``
    hands over what came before a cut (a plain read of a whole chunk would lose it in the
    exception), so a resume starts from there."""
    raw = resp.raw
    while True:
        try:
            block = raw.read1(_CHUNK, decode_content=False)
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise requests.exceptions.ConnectionError(type(exc).__name__) from None
        if not block:
            return
        yield block


def _drop_part(folder: Path) -> None:
    for name in (PART, PART_META):
        with contextlib.suppress(FileNotFoundError):
            (folder / name).unlink()


def _download(http: _Http, folder: Path, book: Ledger, use_validators: bool
              ) -> tuple[str, dict[str, str]] | None:
    """One attempt: the body into ``download.part`` (resumed when it can be); None on 304."""
    url, limit = http.source.location, http.limits.total_bytes
    part, meta_path = folder / PART, folder / PART_META
    meta: dict[str, Any] = {}
    with contextlib.suppress(FileNotFoundError, ValueError):
        meta = json.loads(meta_path.read_text("utf-8"))
    have = part.stat().st_size if part.exists() else 0
    headers: dict[str, str] = {}
    resume = bool(have and meta.get("url") == url and (meta.get("etag") or meta.get("modified")))
    if resume:
        headers["Range"] = f"bytes={have}-"
        headers["If-Range"] = meta.get("etag") or meta["modified"]
    else:
        _drop_part(folder)
        have = 0
        if use_validators and book.get("url") == url:
            if book.get("etag"):
                headers["If-None-Match"] = book["etag"]
            if book.get("modified"):
                headers["If-Modified-Since"] = book["modified"]
    resp = http.get(url, headers)
    with resp:
        if resp.status_code == 304:
            return None
        if resp.status_code == 416:
            _drop_part(folder)
            raise PullFailed("续传位置无效，将重新下载", "the resume offset was refused",
                             transient=True)
        if resp.status_code not in (200, 206):
            raise _status_error(resp)
        encoding = resp.headers.get("Content-Encoding", "identity").strip().lower()
        if encoding not in ("", "identity"):
            # We ask for identity: a coded body's ranges and sizes are not the file's.
            raise PullFailed(f"注册系统返回了经过 {encoding} 编码的应答，未下载",
                             f"the registry answered with a {encoding}-coded body; not fetched")
        validators = {k: v for k, v in (("etag", resp.headers.get("ETag")),
                                         ("modified", resp.headers.get("Last-Modified"))) if v}
        length = resp.headers.get("Content-Length")
        if resp.status_code == 206:
            m = re.match(r"bytes (\d+)-(\d+)/(\d+)", resp.headers.get("Content-Range", ""))
            if not m or int(m.group(1)) != have:
                _drop_part(folder)
                raise PullFailed("续传应答的范围不符，将重新下载",
                                 "the resumed range does not match", transient=True)
            total = int(m.group(3))
        else:
            _drop_part(folder)
            have = 0
            total = int(length) if length and length.isdigit() else -1
        if total > limit:
            _drop_part(folder)
            raise _too_big(limit)
        write_private(meta_path, json.dumps({"url": url, "total": total, **validators}))
        got = have
        try:
            with open_private(part, "ab" if have else "wb") as out:
                for block in _blocks(resp):
                    got += len(block)
                    if got > limit:
                        raise _too_big(limit)
                    out.write(block)
        except PullFailed:
            _drop_part(folder)
            raise
        except (requests.exceptions.RequestException, OSError):
            raise PullFailed("下载中途连接中断（已下载部分将续传）",
                             "the connection was cut mid-download (it will resume)",
                             transient=True) from None
        if total >= 0 and got != total:
            raise PullFailed("下载不完整（连接提前结束，已下载部分将续传）",
                             "the download ended early (it will resume)", transient=True)
    return _sha256(part), validators


def fetch_http(source: Source, secret: dict[str, str], folder: Path, limits: Limits,
               retry: Retry) -> Fetched:
    """The registry's current export, if it is new; see the module docstring."""
    http = _Http(source, secret, limits)
    book = ledger(folder)
    done = set(book.get("done") or [])
    last: PullFailed | None = None
    for delay in [*retry.delays(), None]:
        try:
            return _fetch_once(http, folder, book, done, limits)
        except PullFailed as exc:
            if not exc.transient:
                if not exc.keep_part:
                    _drop_part(folder)
                raise
            last = exc
        if delay is not None:
            retry.sleep(delay)
    assert last is not None
    raise PullFailed(f"{last.zh}（已重试 {retry.attempts} 次）",
                     f"{last.en} (tried {retry.attempts} times)")


def _fetch_once(http: _Http, folder: Path, book: Ledger, done: set[str], limits: Limits
                ) -> Fetched:
    url = http.source.location
    published = _sidecar(http, url)
    if published is not None and published in done:
        return Fetched(None, published, "没有新的导出（摘要与已取过的相同）",
                       "nothing new (the digest matches one already taken)", origin=url)
    got = _download(http, folder, book, use_validators=published is None)
    if got is None:
        return Fetched(None, None, "没有新的导出（服务器答复未修改）",
                       "nothing new (the server says not modified)", origin=url)
    sha, validators = got
    part = folder / PART
    if published is not None and sha != published:
        _drop_part(folder)
        raise PullFailed("下载的导出与注册系统公布的 SHA-256 摘要不符，已丢弃",
                         "the export fetched does not match the registry's SHA-256 digest; "
                         "discarded")
    if sha in done:
        _drop_part(folder)
        return Fetched(None, sha, "没有新的导出（内容与已取过的相同）",
                       "nothing new (same bytes as one already taken)",
                       validators=validators, origin=url)
    try:
        check_container(part, limits)
    except PullFailed:
        _drop_part(folder)
        raise
    (folder / PART_META).unlink(missing_ok=True)
    return Fetched(_finish(folder, part, sha, urlsplit(url).path), sha,
                   validators=validators, origin=url)


# -- drop folder -----------------------------------------------------------------------


def _candidate(p: Path) -> bool:
    name = p.name
    lower = name.lower()
    return (not name.startswith((".", "~")) and lower.endswith(EXPORT_SUFFIXES)
            and not lower.endswith(TEMP_SUFFIXES) and p.is_file() and not p.is_symlink())


def _sig(p: Path) -> tuple[int, int] | None:
    try:
        st = p.stat()
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns)


def fetch_folder(source: Source, folder: Path, limits: Limits,
                 sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.time) -> list[Fetched]:
    """Every new, stable export in the drop folder, oldest first, copied and checked.

    A file not yet stable comes back as ``waiting`` (and stops the list: a later export is
    not taken before an earlier one).  A bad file raises :class:`PullFailed`.
    """
    drop = Path(source.location)
    if not drop.is_dir():
        raise PullFailed(f"找不到投放文件夹：{drop}", f"no such drop folder: {drop}")
    book = ledger(folder)
    done = set(book.get("done") or [])
    seen_sizes = book.get("files") or {}
    found = sorted((p for p in drop.iterdir() if _candidate(p)),
                   key=lambda p: (p.stat().st_mtime_ns, p.name))
    first = {p: _sig(p) for p in found}
    # Unchanged files already taken are skipped without being read again.
    fresh = [p for p in found if seen_sizes.get(p.name) != list(first[p] or ())]
    if not fresh:
        return []
    sleep(source.settle_s)
    out: list[Fetched] = []
    for p in fresh:
        sig = first[p]
        if sig is None or _sig(p) != sig or clock() - sig[1] / 1e9 < source.settle_s:
            out.append(Fetched(None, None, f"文件 {p.name} 仍在写入，稍后再取",
                               f"{p.name} is still being written; taken later", waiting=True,
                               origin=p.name))
            break
        if sig[0] > limits.total_bytes:
            raise _too_big(limits.total_bytes)
        part = folder / PART
        with open(p, "rb") as fh, open_private(part, "wb") as dst:
            shutil.copyfileobj(fh, dst, _CHUNK)
        if _sig(p) != sig:
            _drop_part(folder)
            out.append(Fetched(None, None, f"文件 {p.name} 在复制时被改动，稍后再取",
                               f"{p.name} changed while copied; taken later", waiting=True,
                               origin=p.name))
            break
        sha = _sha256(part)
        side = p.with_name(p.name + DIGEST_SUFFIX)
        if side.is_file():
            published = _parse_digest(side.read_text("ascii", "replace")[:4096])
            if published != sha:
                _drop_part(folder)
                raise PullFailed(f"{p.name} 与其 {DIGEST_SUFFIX} 摘要不符，未读取",
                                 f"{p.name} does not match its {DIGEST_SUFFIX} digest")
        if sha in done:
            _drop_part(folder)
            out.append(Fetched(None, sha, f"{p.name} 已取过", f"{p.name} already taken",
                               validators={"file": p.name, "sig": json.dumps(list(sig))},
                               origin=p.name))
            continue
        try:
            check_container(part, limits)
        except PullFailed as exc:
            _drop_part(folder)
            raise PullFailed(f"{p.name}：{exc.zh}", f"{p.name}: {exc.en}") from None
        out.append(Fetched(_finish(folder, part, sha, p.name), sha,
                           validators={"file": p.name, "sig": json.dumps(list(sig))},
                           origin=p.name))
    return out


def probe(source: Source, secret: dict[str, str]) -> tuple[str, str]:
    """``redgov source test``: can the source be reached (nothing is downloaded or kept)?"""
    if source.kind != "http":
        drop = Path(source.location)
        if not drop.is_dir() or not os.access(drop, os.R_OK | os.X_OK):
            raise PullFailed(f"投放文件夹不存在或不可读：{drop}",
                             f"the drop folder is missing or unreadable: {drop}")
        n = sum(1 for p in drop.iterdir() if _candidate(p))
        return (f"可以读取投放文件夹，其中有 {n} 个导出文件",
                f"the drop folder is readable and holds {n} export files")
    http = _Http(source, secret, Limits.from_env())
    digest = _sidecar(http, source.location)
    resp = http.get(source.location, {"Range": "bytes=0-0"})
    with resp:
        if resp.status_code not in (200, 206):
            raise _status_error(resp)
    side = ("，并公布了 SHA-256 摘要" if digest else "，未公布摘要文件")
    return (f"可以连接注册系统并取得导出（HTTP {resp.status_code}）{side}",
            f"the registry answers (HTTP {resp.status_code}); digest file: "
            f"{'yes' if digest else 'no'}")
