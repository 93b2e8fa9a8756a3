"""Every setting, declared once: its flag, group and attribute on the settings groups, converter (which
validates) and help text. `ArgumentParsingUtils` builds argparse, the environment names and the YAML keys from
`SETTINGS`; the docs' settings tables are generated from it (`make docs`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from src.settings import PROJECT_ROOT, parse_members

Converter = Callable[[str], Any]


def _integer(minimum: int, maximum: int | None = None) -> Converter:
    def convert(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a whole number") from None
        if value < minimum or (maximum is not None and value > maximum):
            bound = f"{minimum}-{maximum}" if maximum is not None else f">= {minimum}"
            raise ValueError(f"{value} is out of range ({bound})")
        return value

    return convert


def _number(minimum: float) -> Converter:
    def convert(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a number") from None
        if not value >= minimum:  # also rejects NaN
            raise ValueError(f"{value} is out of range (>= {minimum})")
        return value

    return convert


def _choice(*choices: str) -> Converter:
    def convert(text: str) -> str:
        value = text.strip()
        if value not in choices:
            raise ValueError(f"{text!r} is not one of {', '.join(choices)}")
        return value

    return convert


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _boolean(text: str) -> bool:
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{text!r} is not a boolean (true/false)")


def _text(text: str) -> str:
    if not text.strip():
        raise ValueError("must not be empty")
    return text


def _members(text: str) -> str:
    parse_members(text, 2379)  # validates every entry; the port default is applied when the settings are read
    return text.strip()


def _path(text: str) -> Path:
    # Relative paths are taken from the project root so the server behaves the same from any working directory.
    return PROJECT_ROOT / _text(text)


def _origins(text: str) -> tuple[str, ...]:
    origins = tuple(part.strip().rstrip("/") for part in text.split(",") if part.strip())
    if not origins:
        raise ValueError("must name at least one origin or '*'")
    for origin in origins:
        if origin != "*" and not origin.startswith(("http://", "https://")):
            raise ValueError(f"{origin!r} is not '*' or an http(s)://host[:port] origin")
    return origins


PORT = _integer(1, 65535)


class Setting(NamedTuple):
    """One setting: its flag (`--name`), where its value lands, how it is read and documented."""

    name: str
    group: str
    attr: str
    convert: Converter
    help: str
    extra_env: tuple[str, ...] = ()
    switch: bool = False

    @property
    def env(self) -> tuple[str, ...]:
        return ("TB_" + self.name.upper(), *self.extra_env)


SETTINGS: tuple[Setting, ...] = (
    # Basic application parameters.
    Setting("service_name", "server", "service_name", _text,
            "the service's name, on every log line (YAML: `service: name:`)"),
    Setting("proc", "server", "proc", _integer(0, 256), "number of server processes; 0 = one per CPU core"),
    Setting("port", "server", "port", PORT, "listening port", extra_env=("PORT",)),
    Setting("address", "server", "address", _text, "listening address"),
    Setting("env", "server", "env", _choice("dev", "prod"), "environment: dev or prod (prod never sends tracebacks)"),
    Setting("debug", "server", "debug", _boolean,
            "debug mode: tracebacks in error bodies, templates reloaded (dev only)", switch=True),
    Setting("ssl", "server", "ssl", _boolean, "serve HTTPS with --certfile/--keyfile", switch=True),
    Setting("certfile", "server", "certfile", _path, "TLS certificate (PEM); relative to the project root"),
    Setting("keyfile", "server", "keyfile", _path, "TLS private key (PEM); relative to the project root"),
    Setting("max_body_size", "server", "max_body_size", _integer(1), "largest accepted request body, bytes"),
    Setting("shutdown_grace", "server", "shutdown_grace", _number(0), "seconds in-flight requests get on shutdown"),
    Setting("max_connections", "server", "max_connections", _integer(0),
            "client connections served at once, more get a fast 503; 0 = the open-file limit less an eighth"),
    Setting("body_timeout", "server", "body_timeout", _number(0.1), "seconds a request body may take; then 408"),
    Setting("idle_connection_timeout", "server", "idle_connection_timeout", _number(0.1),
            "seconds a connection may wait for a request's head (idle keep-alive too); then it is closed"),
    Setting("request_timeout", "server", "request_timeout", _number(0),
            "seconds a handler may take before a 503 (the slow handler is logged); 0 = no limit"),
    Setting("api_token", "server", "api_token", _text,
            "bearer token that POST/PUT/PATCH/DELETE require in Authorization; unset = no token"),
    Setting("cors_origins", "server", "cors_origins", _origins,
            "comma-separated allowed CORS origins, or '*' (default: '*' in dev, none in prod)"),
    Setting("loop", "server", "loop", _choice("uvloop", "asyncio"),
            "event loop: uvloop (libuv's, as uvicorn runs; a few per cent less CPU) or asyncio (the "
            "standard library's)"),
    Setting("http_parser", "server", "http_parser", _choice("httptools", "tornado"),
            "HTTP/1.1 transport for the same Application: httptools (llhttp; a fifth less CPU per request) or "
            "tornado (Tornado's own parser)"),
    Setting("examples", "server", "examples", _boolean,
            "serve the example routes and jobs (/, /cors, /locking, /client...); --no-examples leaves them all out",
            switch=True),
    Setting("example_jobs", "server", "example_jobs", _boolean, "schedule the example jobs", switch=True),
    Setting("locking_hold_seconds", "server", "locking_hold_seconds", _number(0),
            "how long GET /locking/{id} holds its lock"),
    Setting("metrics", "server", "metrics", _boolean, "serve Prometheus metrics at /metrics", switch=True),
    Setting("metrics_port", "server", "metrics_port", PORT,
            "serve /metrics only on this port, not on --port (keeps it off a public listener)"),
    # Logging parameters.
    Setting("log_level", "logging", "level", _choice("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"),
            "minimum level logged"),
    Setting("log_host", "logging", "host", _text, "UDP syslog host (with --log_port)"),
    Setting("log_port", "logging", "port", PORT, "UDP syslog port (with --log_host)"),
    Setting("log_dir", "logging", "directory", _path, "folder of the rotating log files"),
    Setting("log_file", "logging", "file_name", _text, "log file name inside --log_dir"),
    Setting("log_max_bytes", "logging", "max_bytes", _integer(1024), "size at which a log file rotates, bytes"),
    Setting("log_backup_count", "logging", "backup_count", _integer(0), "rotated log files kept"),
    Setting("log_health_checks", "logging", "health_checks", _boolean,
            "log /ping and /health requests at INFO too", switch=True),
    # Database parameters.
    Setting("db_host", "database", "host", _text, "MongoDB host; unset = embedded store", extra_env=("MONGODB_HOST",)),
    Setting("db_port", "database", "port", PORT, "MongoDB port", extra_env=("MONGODB_PORT",)),
    Setting("db_name", "database", "name", _text, "database name", extra_env=("MONGODB_NAME",)),
    Setting("db_user", "database", "user", _text, "MongoDB user", extra_env=("MONGODB_USER",)),
    Setting("db_password", "database", "password", _text, "MongoDB password", extra_env=("MONGODB_PASSWORD",)),
    Setting("db_uri", "database", "uri", _text, "full MongoDB URI (overrides host/port/user/password)",
            extra_env=("MONGODB_URI", "MONGO_URI")),
    Setting("db_path", "database", "path", _path, "folder of the embedded store"),
    Setting("db_timeout_ms", "database", "timeout_ms", _integer(1), "MongoDB server selection timeout, ms"),
    Setting("db_driver", "database", "driver", _choice("motor", "pymongo"),
            "MongoDB driver: motor, or pymongo (PyMongo's AsyncMongoClient, Motor's successor)"),
    # Distributed lock server parameters.
    Setting("lock_server", "lock_server", "enabled", _boolean, "use an etcd lock server", switch=True),
    Setting("lock_server_host", "lock_server", "host", _members,
            "etcd member, or comma-separated cluster members host[:port],... (calls fail over between them)"),
    Setting("lock_server_port", "lock_server", "port", PORT, "etcd port (of members given without one)"),
    Setting("lock_api", "lock_server", "api", _choice("v2", "v3"),
            "etcd API: v2 (python-etcd; etcd <= 3.5 with --enable-v2) or v3 (etcd3gw, any etcd 3.x)"),
    Setting("lock_ttl", "lock_server", "ttl", _integer(1), "lock time-to-live, seconds (refreshed while held)"),
    Setting("lock_timeout", "lock_server", "timeout", _number(0.1),
            "deadline of one lock call across every member it tries, seconds"),
    Setting("lock_catch_up", "lock_server", "catch_up", _number(0),
            "how long after its time a single-process job slot may still be started, seconds (0: one period, "
            "at least twice --lock_ttl); later it is reported missed"),
    # Outbound HTTP.
    Setting("http_max_clients", "http_client", "max_clients", _integer(1), "concurrent outbound requests"),
    Setting("http_connect_timeout", "http_client", "connect_timeout", _number(0.01), "outbound connect timeout, s"),
    Setting("http_request_timeout", "http_client", "request_timeout", _number(0.01), "outbound request timeout, s"),
    Setting("example_client_url", "http_client", "example_client_url", _text,
            "upstream of GET /client (default: this server's /ping)"),
)
