"""Every setting of the server, resolved once at start-up and frozen (the ground floor: imports nothing of src).

`ArgumentParsingUtils.parse()` builds one `ApplicationContext` from CLI flags, environment variables, the YAML
file given with `--config` and the defaults (in that order of precedence). Nothing mutates it afterwards; it is
handed to the Application settings so handlers and jobs read the same values.

The groups are `typing.NamedTuple`s, not frozen dataclasses: a dataclass compiles its methods from source at every
start (~25M instructions for these six, 4 % of a start-up), a NamedTuple only its `__new__`. `_replace` gives a
changed copy; a secret stays out of the repr (`_repr_without`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import quote_plus

# The repository root: template, static, keys/, logs/ and data/ paths are resolved from here, never from the cwd.
PROJECT_ROOT = Path(__file__).resolve().parents[1]


def _repr_without(record: Any, hidden: tuple[str, ...]) -> str:
    """`Group(field=value, ...)`, as a NamedTuple's repr reads, with the `hidden` fields left out."""
    shown = ", ".join(f"{name}={value!r}" for name, value in zip(record._fields, record, strict=True)
                      if name not in hidden)
    return f"{type(record).__name__}({shown})"


class SettingsError(Exception):
    """An invalid setting; the message is one line naming the setting and what is wrong."""


class ServerSettings(NamedTuple):
    """How this server listens, serves and stops (the `server` group of settings)."""

    service_name: str = "tornado-boilerplate"
    port: int = 5000
    address: str = "0.0.0.0"
    proc: int = 1
    env: str = "dev"
    debug: bool = False
    ssl: bool = False
    certfile: Path = PROJECT_ROOT / "keys" / "server.crt"
    keyfile: Path = PROJECT_ROOT / "keys" / "server.key"
    max_body_size: int = 1024 * 1024
    shutdown_grace: float = 10.0
    max_connections: int = 0  # 0: derived from the open-file limit at start-up
    body_timeout: float = 30.0
    idle_connection_timeout: float = 60.0
    request_timeout: float = 0.0  # 0: no limit
    api_token: str | None = None  # secret: not in the repr
    cors_origins: tuple[str, ...] = ("*",)
    loop: str = "uvloop"
    http_parser: str = "httptools"
    examples: bool = True
    example_jobs: bool = True
    locking_hold_seconds: float = 2.0
    metrics: bool = True
    metrics_port: int | None = None

    def __repr__(self) -> str:
        return _repr_without(self, ("api_token",))

    @property
    def traces_to_client(self) -> bool:
        """Tracebacks may reach a client only in debug mode, and debug mode exists only in `dev`."""
        return self.debug and self.env == "dev"

    @property
    def scheme(self) -> str:
        return "https" if self.ssl else "http"

    @property
    def url(self) -> str:
        """Where a person on this machine reaches the server: `localhost` for a listen-everywhere address."""
        host = "localhost" if self.address in ("0.0.0.0", "::", "") else self.address
        host = f"[{host}]" if ":" in host else host  # an IPv6 address in a URL
        return f"{self.scheme}://{host}:{self.port}"


class LoggingSettings(NamedTuple):
    """Where the log lines go and at what level (the `logging` group of settings)."""

    level: str = "INFO"
    host: str | None = None
    port: int | None = None
    directory: Path = PROJECT_ROOT / "logs"
    file_name: str = "server.log"
    max_bytes: int = 10 * 1024 * 1024
    backup_count: int = 5
    health_checks: bool = False
    # A logging.config.dictConfig mapping from the YAML file's `logging:` section; replaces the default handlers.
    dict_config: Mapping[str, Any] | None = None  # last: equality and the hash leave it out

    # Equal and hashed without `dict_config`, as a frozen dataclass field with compare=False.
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LoggingSettings):
            return NotImplemented
        return self[:-1] == other[:-1]

    def __ne__(self, other: object) -> bool:
        if not isinstance(other, LoggingSettings):
            return NotImplemented
        return self[:-1] != other[:-1]

    def __hash__(self) -> int:
        return hash(self[:-1])

    @property
    def syslog_enabled(self) -> bool:
        return self.host is not None and self.port is not None


class DatabaseSettings(NamedTuple):
    """MongoDB when a host or URI is set, else the embedded store at `path` (the `database` group)."""

    host: str | None = None
    port: int = 27017
    name: str = "tornado_boilerplate"
    user: str | None = None
    password: str | None = None  # secret: not in the repr
    uri: str | None = None  # may hold credentials: not in the repr
    path: Path = PROJECT_ROOT / "data"
    timeout_ms: int = 2000
    driver: str = "motor"

    def __repr__(self) -> str:
        return _repr_without(self, ("password", "uri"))

    @property
    def uses_mongo(self) -> bool:
        """MongoDB (through `driver`) when a host or URI is configured, else the embedded store."""
        return self.uri is not None or self.host is not None

    def mongo_uri(self) -> str:
        """The connection URI; credentials are URL-escaped so `@`, `:` or `/` in a password cannot break it."""
        if self.uri is not None:
            return self.uri
        credentials = ""
        if self.user is not None:
            credentials = quote_plus(self.user)
            if self.password is not None:
                credentials += ":" + quote_plus(self.password)
            credentials += "@"
        return f"mongodb://{credentials}{self.host or 'localhost'}:{self.port}/{self.name}"


class LockServerSettings(NamedTuple):
    """The etcd members that hold the distributed locks (the `lock_server` group of settings)."""

    enabled: bool = False
    host: str = "localhost"  # one etcd member, or several: "h1:2379,h2:2379,h3" (port defaults to `port`)
    port: int = 2379
    ttl: int = 10
    timeout: float = 2.0
    api: str = "v2"  # "v2" (python-etcd) or "v3" (etcd3gw, the JSON gateway)
    catch_up: float = 0.0  # slot catch-up deadline, seconds; 0: one period, and at least twice the TTL

    @property
    def members(self) -> list[tuple[str, int]]:
        return parse_members(self.host, self.port)


def parse_members(text: str, default_port: int) -> list[tuple[str, int]]:
    """`h1:2379,h2,[::1]:2379` as (host, port) pairs; ValueError names a malformed entry."""
    members = []
    for entry in (part.strip() for part in text.split(",")):
        if not entry:
            continue
        host, port = entry, default_port
        if entry.startswith("["):  # [IPv6]:port
            host, _, rest = entry[1:].partition("]")
            if rest:
                port = _member_port(entry, rest.removeprefix(":"))
        elif entry.count(":") == 1:
            host, _, port_text = entry.partition(":")
            port = _member_port(entry, port_text)
        if not host:
            raise ValueError(f"{entry!r} names no host")
        members.append((host, port))
    if not members:
        raise ValueError("must name at least one etcd member (host or host:port)")
    return members


def _member_port(entry: str, text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise ValueError(f"{entry!r}: the port must be a number from 1 to 65535")
    return int(text)


class HttpClientSettings(NamedTuple):
    """The shared outbound HTTP client's limits (the `http_client` group of settings)."""

    max_clients: int = 100
    connect_timeout: float = 3.0
    request_timeout: float = 5.0
    example_client_url: str | None = None


class ApplicationContext(NamedTuple):
    """Every setting of the server, by group, and the `--config` file they were read from."""

    server: ServerSettings = ServerSettings()
    logging: LoggingSettings = LoggingSettings()
    database: DatabaseSettings = DatabaseSettings()
    lock_server: LockServerSettings = LockServerSettings()
    http_client: HttpClientSettings = HttpClientSettings()
    config_path: Path | None = None

    @property
    def example_client_url(self) -> str:
        """The example client's upstream; by default this server's own liveness probe."""
        if self.http_client.example_client_url:
            return self.http_client.example_client_url
        return f"{self.server.scheme}://127.0.0.1:{self.server.port}/ping"
