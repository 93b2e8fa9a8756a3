"""`free_port()`: a port nothing listens on, held from every other process until a server binds it."""

from __future__ import annotations

import errno
import socket

import pytest

from tests.support.server_process import free_port


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.3"])
def test_the_port_is_closed_kept_from_other_binds_and_open_to_a_server(host: str) -> None:
    port = free_port(host)
    with socket.socket() as client:
        assert client.connect_ex((host, port)) == errno.ECONNREFUSED  # nothing listens: refused at once
    with socket.socket() as other, pytest.raises(OSError) as taken:
        other.bind((host, port))  # what the kernel's choice for a bind to 0 checks: this port is in use
    assert taken.value.errno == errno.EADDRINUSE
    with socket.socket() as server:  # a server binds with SO_REUSEADDR (tornado, etcd, docker-proxy)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind((host, port))
        server.listen(1)
        with socket.create_connection((host, port), timeout=5):
            pass
