"""A registry on 127.0.0.1 for the pull tests: a real HTTP(S) server with injectable faults.

:class:`Registry` serves one export at ``/export.zip`` (and its digest at
``/export.zip.sha256`` when ``sidecar`` is on), honouring ``If-None-Match``,
``If-Modified-Since`` (when ``modified`` is set), ``Range`` and
``If-Range`` like a plain web server.  ``fault`` makes the next body requests misbehave:

- ``timeout``: answer nothing for longer than the client waits;
- ``503``: a server error;
- ``cut``: send the headers and part of the body, then close the connection;
- ``swap``: the body changes between the digest request and the body request;
- ``lie``: the first body request is cut, then the body changes but keeps its ``ETag``
  (and ``If-Range`` on that ``ETag`` is honoured: a spliced body);
- ``truncate``: a truncated zip, served as if whole (its own ``Content-Length``);
- ``coded``: the body gzip-coded although ``identity`` was asked for;
- ``redirect``: a redirect to another host (``localhost`` instead of ``127.0.0.1``);
- ``huge`` / ``huge-chunked``: ten times ``huge_bytes``, with or without a length.

:func:`tls_files` makes a CA and a server certificate for 127.0.0.1 (``cryptography``);
:func:`zip_export` zips a fixture folder with fixed timestamps, so its bytes are stable.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import ssl
import threading
import time
import zipfile
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from ipaddress import ip_address
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

PATH = "/export.zip"


def zip_export(folder: Path) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(folder.iterdir()):
            info = zipfile.ZipInfo(p.name, date_time=(2024, 1, 1, 0, 0, 0))
            info.flag_bits |= 0x800
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, p.read_bytes())
    return buf.getvalue()


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:16] + '"'


@dataclass
class Registry:
    body: bytes = b""
    sidecar: bool = True
    fault: str | None = None
    #: the body a ``swap``/``lie`` fault changes to
    next_body: bytes = b""
    huge_bytes: int = 0
    redirect_to: str = ""
    #: a fixed ETag for every body (None: one per body); "" sends none
    fixed_etag: str | None = None
    #: a Last-Modified date to send (and to answer If-Modified-Since with 304)
    modified: str = ""
    log: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    cut_at: int = 200
    sent_bytes: int = 0
    _lie_done: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def etag(self, body: bytes) -> str:
        return self.fixed_etag if self.fixed_etag is not None else etag_of(body)

    def serve(self, body: bytes, *, sidecar: bool = True) -> None:
        with self.lock:
            self.body, self.sidecar, self.fault, self._lie_done = body, sidecar, None, False

    def ranges(self) -> list[str]:
        return [h.get("Range", "") for m, p, h in self.log if p == PATH and h.get("Range")]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    registry: Registry

    def log_message(self, *args: object) -> None:  # quiet
        pass

    def _send(self, code: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(code)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.registry.sent_bytes += len(body)

    def do_GET(self) -> None:
        reg = self.registry
        reg.log.append(("GET", self.path, dict(self.headers)))
        fault = reg.fault
        if fault == "timeout":
            time.sleep(2.5)
            self.close_connection = True
            return
        if fault == "503":
            self._send(503, b"busy")
            return
        if fault == "redirect" and self.path == PATH:
            self.send_response(302)
            self.send_header("Location", reg.redirect_to)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        path = self.path.split("?")[0]
        if path == PATH + ".sha256":
            if not reg.sidecar:
                self._send(404, b"")
                return
            digest = hashlib.sha256(reg.body).hexdigest()
            if fault == "swap":
                reg.body = reg.next_body  # the registry replaced the export meanwhile
            self._send(200, f"{digest}  export.zip\n".encode())
            return
        if path != PATH:
            self._send(404, b"")
            return
        self._body(reg, fault)

    def _body(self, reg: Registry, fault: str | None) -> None:
        body = reg.body
        etag = reg.etag(body)
        if fault in ("huge", "huge-chunked"):
            self._huge(reg, fault == "huge-chunked")
            return
        not_modified = (etag and self.headers.get("If-None-Match") == etag) or (
            reg.modified and self.headers.get("If-Modified-Since") == reg.modified)
        if not_modified:
            self.send_response(304)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if fault == "coded":  # a server that compresses although identity was asked for
            import gzip

            coded = gzip.compress(body)
            self._send(200, coded, {"ETag": etag, "Content-Encoding": "gzip"})
            return
        if fault == "truncate":
            body = body[: len(body) * 2 // 3]
        start = 0
        rng = self.headers.get("Range", "")
        if rng.startswith("bytes=") and self.headers.get("If-Range") in (etag, reg.modified):
            start = int(rng[6:].split("-")[0])
        part = body[start:]
        self.send_response(206 if start else 200)
        if etag:
            self.send_header("ETag", etag)
        if reg.modified:
            self.send_header("Last-Modified", reg.modified)
        if start:
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        self.send_header("Content-Length", str(len(part)))
        self.end_headers()
        if fault == "cut" or (fault == "lie" and not reg._lie_done):
            self.wfile.write(part[: reg.cut_at])
            self.wfile.flush()
            self.close_connection = True
            if fault == "lie":
                reg._lie_done = True
                reg.body = reg.next_body  # changed, but the ETag stays (fixed_etag)
            return
        self.wfile.write(part)
        reg.sent_bytes += len(part)

    def _huge(self, reg: Registry, chunked: bool) -> None:
        total = reg.huge_bytes * 10
        self.send_response(200)
        self.send_header("ETag", '"huge"')
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(total))
        self.end_headers()
        block = b"\0" * 65536
        sent = 0
        try:
            while sent < total:
                n = min(len(block), total - sent)
                if chunked:
                    self.wfile.write(f"{n:x}\r\n".encode() + block[:n] + b"\r\n")
                else:
                    self.wfile.write(block[:n])
                sent += n
                reg.sent_bytes = sent
            if chunked:
                self.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass  # the client hung up: what it should do
        self.close_connection = True


class RegistryServer:
    """The server in a thread; ``url`` is where the export is."""

    def __init__(self, registry: Registry, cert: tuple[Path, Path] | None = None) -> None:
        handler = type("Handler", (_Handler,), {"registry": registry})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        scheme = "http"
        if cert is not None:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(str(cert[0]), str(cert[1]))
            self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
            scheme = "https"
        self.port = self.httpd.server_address[1]
        self.url = f"{scheme}://127.0.0.1:{self.port}{PATH}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def tls_files(folder: Path) -> tuple[Path, Path, Path]:
    """(CA certificate, server certificate, server key) for 127.0.0.1, as PEM files."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "redgov test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - dt.timedelta(hours=1))
          .not_valid_after(now + dt.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False,
                                       False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                         critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return paths
