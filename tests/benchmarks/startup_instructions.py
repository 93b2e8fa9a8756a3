"""Instructions of a start-up: each server launched under valgrind's callgrind with the bench's own command
line, stopped with SIGTERM as soon as `/ping` answers 200, and the instructions its process executed from launch
to exit counted. Unlike the wall or CPU time of `make bench SUITE=footprint`, the count hardly moves with the
load of the machine (within 0.1 %), so a change to start-up can be measured A/B on a busy one.

    python -m tests.benchmarks.startup_instructions [--servers server,server-no-metrics,bare] [--tree PATH]

`server-tornado` and `server-httptools` start this server on one HTTP/1 transport each (`--http_parser`), to
count what a transport imports at start; `server-asyncio` and `server-uvloop` on one event loop each (`--loop`).

`--tree` measures another checkout (a second worktree of the state before a change). The bytecode of `src/` is
compiled first, as `make bench` does. Under callgrind a start-up takes 20-60 s.
"""

from __future__ import annotations

import argparse
import http.client
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from tests.benchmarks.inprocess_cpu import instructions_in
from tests.benchmarks.servers import ServerSpec, compile_bytecode
from tests.support.server_process import PROJECT_ROOT, free_port

SERVERS = {
    "server": ServerSpec("server", "server"),
    "server-no-metrics": ServerSpec("server-no-metrics", "server", metrics=False),
    "server-httptools": ServerSpec("server-httptools", "server", http_parser="httptools"),
    "server-tornado": ServerSpec("server-tornado", "server", http_parser="tornado"),
    "server-asyncio": ServerSpec("server-asyncio", "server", loop="asyncio"),
    "server-uvloop": ServerSpec("server-uvloop", "server", loop="uvloop"),
    "bare": ServerSpec("bare", "bare"),
}
DEFAULT_SERVERS = ("server", "server-no-metrics", "bare")
READY_TIMEOUT_SECONDS = 600.0  # valgrind runs the interpreter 20-50 times slower, more on a loaded machine


def count_startup(spec: ServerSpec, tree: Path, work: Path) -> int:
    """Instructions of one start-up of `spec` from the checkout `tree`, through its first 200 and its stop."""
    port = free_port()
    out = work / f"{spec.name}.callgrind"
    (work / spec.name).mkdir(parents=True, exist_ok=True)
    command = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
               *spec.command(port, work / spec.name, seed_count=0)]
    with (work / f"{spec.name}.log").open("wb") as log:
        process = subprocess.Popen(command, cwd=tree, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_first_200(process, port, spec.name)
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(READY_TIMEOUT_SECONDS)
    return instructions_in(out.read_text())


def _wait_first_200(process: subprocess.Popen[bytes], port: int, name: str) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode} before answering")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request("GET", "/ping")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            connection.close()
        time.sleep(0.05)
    raise RuntimeError(f"{name} did not answer within {READY_TIMEOUT_SECONDS:.0f} s")


def parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.startup_instructions",
                                     description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--servers", default=",".join(DEFAULT_SERVERS),
                        help=f"comma-separated, of {', '.join(SERVERS)} (default: {','.join(DEFAULT_SERVERS)})")
    parser.add_argument("--tree", type=Path, default=PROJECT_ROOT, help="the checkout to start (default: this)")
    options = parser.parse_args(argv)
    options.servers = [name.strip() for name in options.servers.split(",") if name.strip()]
    unknown = sorted(set(options.servers) - set(SERVERS))
    if unknown or not options.servers:
        parser.error(f"--servers: unknown {', '.join(unknown) or '(none given)'}; known: {', '.join(SERVERS)}")
    return options


def main(argv: Sequence[str] | None = None) -> int:
    options = parse(sys.argv[1:] if argv is None else argv)
    tree = options.tree.resolve()
    compile_bytecode(tree)
    counts: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="tb-startup-") as folder:
        for name in options.servers:
            counts[name] = count_startup(SERVERS[name], tree, Path(folder))
            print(f"{name}: {counts[name] / 1e6:,.1f}M instructions to the first 200 and the stop", flush=True)
    if "bare" in counts:
        for name, count in counts.items():
            if name != "bare":
                print(f"{name} / bare: {count / counts['bare']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
