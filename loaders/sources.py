"""Pull sources: where a registry hands out its exports, declared in the data directory.

``<data dir>/sources.json`` (0600, like everything there) lists the sources; the secrets
(a bearer token, or basic credentials) live apart in ``<data dir>/source-secrets.json``
(0600), are read only by the fetch, and are never printed, logged or put in an error.

A source is one of:

- ``folder``: a folder the registry drops ``.zip`` / ``.xlsx`` exports into (a share
  mounted on this host);
- ``http``: an HTTP(S) URL serving the registry's current export (TLS verified, a CA file
  may be named, credentials optional).

Each has a ``scope`` (a unit code: its exports may change only that unit's subtree, see
:mod:`.scope_guard`), ``review`` (stage for review instead of publishing), and a
``schedule`` (how often ``redgov pull`` takes it when it is due).

>>> parse_duration("90m"), parse_duration("1h"), parse_duration("2d"), parse_duration("45s")
(5400, 3600, 172800, 45)
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..graph.home import data_dir, write_private

__all__ = [
    "FOLDER", "HTTP", "KINDS", "Source", "SourceError", "add_source", "duration_text",
    "load_sources", "parse_duration", "read_secret", "remove_source", "sources_file",
]

FOLDER, HTTP = "folder", "http"
KINDS = (FOLDER, HTTP)
AUTHS = ("none", "bearer", "basic")
SOURCES_FILE = "sources.json"
SECRETS_FILE = "source-secrets.json"
_NAME = re.compile(r"^[\w-]{1,40}$")
_CODE = re.compile(r"^[\w-]{1,64}$")
_DURATION = re.compile(r"^\s*(\d{1,6})\s*([smhd])\s*$")
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class SourceError(ValueError):
    """A source that cannot be declared or used as given; Chinese first."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh, self.en = zh, en


def parse_duration(text: str) -> int:
    """``45s``, ``15m``, ``1h``, ``1d`` → seconds (at least one second)."""
    m = _DURATION.match(text or "")
    if not m or int(m.group(1)) <= 0:
        raise SourceError(f"时间间隔应写作 30s、15m、1h 或 1d 这样的形式，而不是 {text!r}",
                          f"a duration is written like 30s, 15m, 1h or 1d, not {text!r}")
    return int(m.group(1)) * _UNIT_S[m.group(2)]


def duration_text(seconds: int) -> str:
    for unit in ("d", "h", "m"):
        if seconds % _UNIT_S[unit] == 0:
            return f"{seconds // _UNIT_S[unit]}{unit}"
    return f"{seconds}s"


@dataclass
class Source:
    name: str
    kind: str
    location: str  # a folder path or a URL
    scope: str
    review: bool = False
    schedule_s: int = 3600
    ca_file: str | None = None
    auth: str = "none"
    #: folder sources: a file is read once its size and time stay unchanged this long.
    settle_s: float = 5.0
    timeout_s: float = 30.0
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Source:
        names = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in d.items() if k in names})


def sources_file(home: Path | None = None) -> Path:
    return (home or data_dir()) / SOURCES_FILE


def _secrets_file(home: Path | None = None) -> Path:
    return (home or data_dir()) / SECRETS_FILE


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return {}
    except ValueError:
        raise SourceError(f"{path.name} 已损坏（不是有效的 JSON）",
                          f"{path.name} is damaged (not valid JSON)") from None
    return data if isinstance(data, dict) else {}


def load_sources(home: Path | None = None) -> list[Source]:
    """The declared sources, in the order they were added."""
    items = _read(sources_file(home)).get("sources") or []
    return [Source.from_json(d) for d in items if isinstance(d, dict)]


def _save(sources: list[Source], home: Path | None) -> None:
    write_private(sources_file(home), json.dumps(
        {"version": 1, "sources": [s.to_json() for s in sources]}, ensure_ascii=False,
        indent=1))


def validate(source: Source) -> None:
    if not _NAME.match(source.name):
        raise SourceError(f"来源名称只能由字母、数字、汉字、- 和 _ 组成（至多 40 个字符）："
                          f"{source.name!r}",
                          f"a source name is letters, digits, - and _ (40 at most): "
                          f"{source.name!r}")
    if not _CODE.match(source.scope or ""):
        raise SourceError(f"范围应为一个单位编码：{source.scope!r}",
                          f"the scope must be a unit code: {source.scope!r}")
    if source.kind == FOLDER:
        if not Path(source.location).is_absolute():
            raise SourceError(f"文件夹来源须写绝对路径：{source.location}",
                              f"a folder source needs an absolute path: {source.location}")
        if source.auth != "none":
            raise SourceError("文件夹来源不使用凭据", "a folder source takes no credentials")
    elif source.kind == HTTP:
        parts = urlsplit(source.location)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SourceError(f"网址应以 http:// 或 https:// 开头：{source.location}",
                              f"the URL must start with http:// or https://: "
                              f"{source.location}")
        if parts.username or parts.password:
            raise SourceError("网址中不能含有用户名或密码（请用 --auth 另行保存凭据）",
                              "the URL must not hold a user name or password (use --auth)")
        if source.ca_file and not Path(source.ca_file).is_file():
            raise SourceError(f"找不到 CA 证书文件：{source.ca_file}",
                              f"no such CA file: {source.ca_file}")
        if source.auth not in AUTHS:
            raise SourceError(f"未知的认证方式：{source.auth}", f"unknown auth: {source.auth}")
    else:
        raise SourceError(f"未知的来源类型：{source.kind}", f"unknown source kind: {source.kind}")


def add_source(source: Source, secret: dict[str, str] | None = None,
               home: Path | None = None) -> None:
    """Declare ``source`` (refused when the name is taken); ``secret`` kept apart, 0600."""
    validate(source)
    sources = load_sources(home)
    if any(s.name == source.name for s in sources):
        raise SourceError(f"已有名为 {source.name} 的来源（先 redgov source remove）",
                          f"a source named {source.name} exists (remove it first)")
    if secret:
        secrets = _read(_secrets_file(home))
        secrets[source.name] = secret
        write_private(_secrets_file(home), json.dumps(secrets, ensure_ascii=False))
    _save([*sources, source], home)


def remove_source(name: str, home: Path | None = None) -> None:
    sources = load_sources(home)
    if not any(s.name == name for s in sources):
        raise SourceError(f"没有名为 {name} 的来源（redgov source list 可查看）",
                          f"no source named {name} (see redgov source list)")
    _save([s for s in sources if s.name != name], home)
    secrets = _read(_secrets_file(home))
    if secrets.pop(name, None) is not None:
        write_private(_secrets_file(home), json.dumps(secrets, ensure_ascii=False))


def get_source(name: str, home: Path | None = None) -> Source:
    for s in load_sources(home):
        if s.name == name:
            return s
    raise SourceError(f"没有名为 {name} 的来源（redgov source list 可查看）",
                      f"no source named {name} (see redgov source list)")


def read_secret(name: str, home: Path | None = None) -> dict[str, str]:
    """The source's credentials (``{"token": …}`` or ``{"user": …, "password": …}``)."""
    found = _read(_secrets_file(home)).get(name)
    return found if isinstance(found, dict) else {}
