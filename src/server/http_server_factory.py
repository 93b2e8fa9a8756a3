"""`HTTPServerFactory`: the `HTTPServer` for an Application, plain or TLS (1.2+) from the key pair in keys/."""

from __future__ import annotations

import ssl

from tornado.web import Application

from src.server.file_limits import current_open_file_limit, default_max_connections
from src.server.managed_http_server import ManagedHTTPServer
from src.settings import ApplicationContext


class StartupError(Exception):
    """Something the server needs is missing or invalid; the message is one line for the operator."""


class HTTPServerFactory:
    @staticmethod
    def ssl_context(context: ApplicationContext) -> ssl.SSLContext | None:
        """The TLS context for `--ssl` (None without it). Checked before any process starts."""
        server = context.server
        if not server.ssl:
            return None
        for name, path in (("certfile", server.certfile), ("keyfile", server.keyfile)):
            if not path.is_file():
                raise StartupError(f"invalid setting {name}: {path} does not exist (run `make certs` to create a "
                                   "self-signed pair)")
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.minimum_version = ssl.TLSVersion.TLSv1_2
        try:
            tls.load_cert_chain(certfile=str(server.certfile), keyfile=str(server.keyfile))
        except (ssl.SSLError, OSError) as error:
            raise StartupError(f"invalid setting certfile/keyfile: cannot load the TLS key pair "
                               f"({server.certfile}, {server.keyfile}): {error}") from None
        return tls

    @staticmethod
    def create(application: Application, context: ApplicationContext,
               tls: ssl.SSLContext | None = None) -> ManagedHTTPServer:
        return ManagedHTTPServer(
            application,
            ssl_options=tls,
            xheaders=False,
            # Tornado's own limit; CustomRequestHandler answers oversized bodies with a JSON 413 before this.
            max_body_size=context.server.max_body_size,
            idle_connection_timeout=context.server.idle_connection_timeout,
            body_timeout=context.server.body_timeout,
            max_connections=HTTPServerFactory.max_connections(context),
            http_parser=context.server.http_parser,
        )

    @staticmethod
    def max_connections(context: ApplicationContext) -> int:
        return context.server.max_connections or default_max_connections(current_open_file_limit())
