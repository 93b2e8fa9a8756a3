"""The real `python server.py`: HTTPS, several workers, supervision, graceful shutdown, start-up errors."""

from __future__ import annotations

import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.server_process import PROJECT_ROOT, ServerProcess, free_port


def get_json(url: str, context: ssl.SSLContext | None = None) -> tuple[int, dict[str, object]]:
    with urllib.request.urlopen(url, timeout=5, context=context) as response:
        return response.status, json.loads(response.read())


@pytest.fixture(scope="module")
def https_server(key_pair: tuple[Path, Path]) -> Iterator[ServerProcess]:
    cert, key = key_pair
    with ServerProcess(["--ssl", "--certfile", str(cert), "--keyfile", str(key)], scheme="https") as server:
        yield server


def client_context(cert: Path, tls_max: ssl.TLSVersion | None = None) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(cert)
    if tls_max is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = ssl.TLSVersion.TLSv1
            context.maximum_version = tls_max
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
    return context


def test_https_end_to_end(https_server: ServerProcess, key_pair: tuple[Path, Path]) -> None:
    status, body = get_json(f"https://localhost:{https_server.port}/ping", client_context(key_pair[0]))
    assert (status, body) == (200, {"status": "ok"})
    with socket.create_connection(("127.0.0.1", https_server.port), timeout=5) as raw, \
            client_context(key_pair[0]).wrap_socket(raw, server_hostname="localhost") as tls:
        assert tls.version() in ("TLSv1.2", "TLSv1.3")


def test_tls_1_1_is_refused(https_server: ServerProcess, key_pair: tuple[Path, Path]) -> None:
    tls11 = client_context(key_pair[0], tls_max=ssl.TLSVersion.TLSv1_1)
    assert _local_tls11_works(tls11, key_pair), "this OpenSSL cannot speak TLS 1.1, so the check would prove nothing"
    with socket.create_connection(("127.0.0.1", https_server.port), timeout=5) as raw, \
            pytest.raises(ssl.SSLError):
        tls11.wrap_socket(raw, server_hostname="localhost")


def _local_tls11_works(client: ssl.SSLContext, key_pair: tuple[Path, Path]) -> bool:
    """The same client against a throw-away server that allows TLS 1.1: proves the client really offers it."""
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        server_context.minimum_version = ssl.TLSVersion.TLSv1
    server_context.set_ciphers("DEFAULT:@SECLEVEL=0")
    server_context.load_cert_chain(*key_pair)
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)

        def accept() -> None:
            connection, _ = listener.accept()
            try:
                server_context.wrap_socket(connection, server_side=True).close()
            except ssl.SSLError:
                connection.close()

        thread = threading.Thread(target=accept, daemon=True)
        thread.start()
        with socket.create_connection(listener.getsockname(), timeout=5) as raw:
            try:
                with client.wrap_socket(raw, server_hostname="localhost") as tls:
                    return tls.version() == "TLSv1.1"
            except ssl.SSLError:
                return False
            finally:
                thread.join(5)


def run_until_exit(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "server.py", *argv], cwd=PROJECT_ROOT, capture_output=True, text=True,
                          timeout=30, check=False, env={**os.environ, **(env or {})})


def test_missing_or_invalid_key_files_stop_start_up(tmp_path: Path) -> None:
    result = run_until_exit("--ssl", "--certfile", str(tmp_path / "none.crt"), "--keyfile", str(tmp_path / "no.key"))
    assert result.returncode == 2 and "certfile" in result.stderr and "make certs" in result.stderr
    (tmp_path / "bad.crt").write_text("not a certificate")
    (tmp_path / "bad.key").write_text("not a key")
    result = run_until_exit("--ssl", "--certfile", str(tmp_path / "bad.crt"), "--keyfile", str(tmp_path / "bad.key"))
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1


def test_port_in_use_is_one_clear_line() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        for proc in ("1", "2"):
            result = run_until_exit("--address", "127.0.0.1", "--port", str(port), "--proc", proc)
            assert result.returncode == 2, result.stderr
            assert result.stderr.count("\n") == 1 and "port" in result.stderr


def test_heroku_port_variable() -> None:
    port = free_port()
    command = [sys.executable, "server.py", "--address", "127.0.0.1", "--no-example_jobs"]
    with ServerProcess(command=command, env={"PORT": str(port)}, port=port) as server:
        assert get_json(server.url + "/ping") == (200, {"status": "ok"})
        assert server.stop() == 0


def worker_pids(server: ServerProcess, want: int, attempts: int = 200) -> set[int]:
    pids: set[int] = set()
    for _ in range(attempts):  # each urlopen is a new connection, spread by SO_REUSEPORT
        try:
            pids.add(int(get_json(server.url + "/health")[1]["pid"]))  # type: ignore[call-overload]
        except (urllib.error.URLError, ConnectionError):
            # A connection queued on a worker that was just killed is reset; the next one lands on a live worker.
            time.sleep(0.05)
            continue
        if len(pids) >= want:
            break
    return pids


def test_two_workers_serve_and_a_dead_worker_is_replaced() -> None:
    with ServerProcess(["--proc", "2"]) as server:
        assert server.process is not None
        pids = worker_pids(server, 2)
        assert len(pids) == 2 and server.process.pid not in pids
        victim = pids.pop()
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 10
        replaced: set[int] = set()
        while time.monotonic() < deadline and len(replaced - pids) == 0:
            replaced = worker_pids(server, 2, attempts=20) - {victim}
        assert victim not in replaced and replaced - pids, "the killed worker was not replaced"
        assert server.stop() == 0
        assert "restarting" in server.output()


def test_sigterm_lets_the_request_in_flight_finish() -> None:
    with ServerProcess(["--shutdown_grace", "10"]) as server:
        body = json.dumps({"title": "finish me"}).encode()
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as client:
            client.sendall(b"POST /cors HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
                           + f"Content-Length: {len(body)}\r\n\r\n".encode() + body[:5])
            time.sleep(0.5)  # the handler exists and waits for the rest of the body
            server.signal(signal.SIGTERM)
            time.sleep(0.5)
            with pytest.raises(ConnectionRefusedError):  # no new connections once stopping
                socket.create_connection(("127.0.0.1", server.port), timeout=2).close()
            client.sendall(body[5:])
            response = _read_http_response(client)
        assert response.startswith(b"HTTP/1.1 200")
        assert json.loads(response.partition(b"\r\n\r\n")[2]) == {"received": {"title": "finish me"}}
        assert server.stop() == 0


def test_supervisor_forwards_sigterm_and_exits_zero() -> None:
    with ServerProcess(["--proc", "2"]) as server:
        pids = worker_pids(server, 2)
        assert server.stop(signal.SIGTERM) == 0
        for pid in pids:
            with pytest.raises(ProcessLookupError):
                os.kill(pid, 0)


def test_sigint_stops_a_single_process_with_exit_zero() -> None:
    with ServerProcess() as server:
        assert server.stop(signal.SIGINT) == 0


def _read_http_response(client: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = client.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                  if line.lower().startswith(b"content-length"))
    while len(body) < length:
        chunk = client.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def processes_serving(port: int) -> list[int]:
    """Pids whose command line is a server on `port` (workers included)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                arguments = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"server.py" in b" ".join(arguments) and str(port).encode() in arguments:
                status = (entry / "stat").read_text().split()[2]
                if status != "Z":
                    pids.append(int(entry.name))
    return pids


def test_sigterm_while_a_worker_is_being_replaced_leaves_no_worker_behind() -> None:
    for _ in range(3):
        with ServerProcess(["--proc", "2"]) as server:
            pids = worker_pids(server, 2)
            os.kill(pids.pop(), signal.SIGKILL)
            # SIGTERM right after the supervisor has seen the death, while the replacement is starting up. (Sent
            # before that, the dead worker would be reaped after the stop began and rightly count as a failure.)
            deadline = time.monotonic() + 10
            while "restarting it" not in server.output() and time.monotonic() < deadline:
                time.sleep(0.005)
            assert server.stop() == 0
            deadline = time.monotonic() + 5
            while processes_serving(server.port) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert processes_serving(server.port) == []


def stop_signal_held_or_caught(pid: int) -> bool:
    """Whether SIGTERM is blocked or has a handler in process `pid` (its /proc status masks)."""
    bit = 1 << (signal.SIGTERM - 1)
    try:
        fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
    except OSError:
        return False
    return any(int(fields[name], 16) & bit for name in ("SigBlk", "SigCgt"))


def test_sigterm_during_start_up_is_a_clean_stop() -> None:
    server = ServerProcess(["--lock_server", "--lock_server_port", str(free_port()), "--lock_timeout", "2"],
                           ready_path="")
    server.start()
    # From server.py's first lines a stop signal is held back, then noted: wait for that, not for a guessed time.
    assert server.process is not None
    deadline = time.monotonic() + 20
    while not stop_signal_held_or_caught(server.process.pid) and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.3)  # well into start-up (imports, or reaching for the absent lock server)
    assert server.stop() == 0
