"""`make soak`: the real server under a mixed load of good and hostile requests for a bounded time.

Reports what a leak or a connection problem would show: RSS and open descriptors sampled every 10 s, answers by
status (5xx should be 0; a `/health` 503 means a dependency check exceeded its 1.5 s timeout on an overloaded
machine) and wrk's socket errors (a read error is a connection closed under a client).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import time
from pathlib import Path

from tests.benchmarks.wrk import LUA_DIR
from tests.support.server_process import ServerProcess

SAMPLE_SECONDS = 10


def rss_and_fds(pid: int) -> tuple[int, int]:
    status = Path(f"/proc/{pid}/status").read_text().splitlines()
    rss_kib = int(next(line for line in status if line.startswith("VmRSS")).split()[1])
    return rss_kib, len(os.listdir(f"/proc/{pid}/fd"))


def wrk(url: str, seconds: int, connections: int) -> subprocess.Popen[str]:
    return subprocess.Popen(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
                             "-s", str(LUA_DIR / "soak_mix.lua"), url], stdout=subprocess.PIPE, text=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=300, help="seconds of load (default 300)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--proc", default="1", help="server processes (RSS and fds are the first process's)")
    options = parser.parse_args()
    with ServerProcess(["--proc", options.proc]) as server:
        assert server.process is not None
        pid = server.process.pid
        wrk(server.url, 10, options.connections).communicate()  # warm-up: caches and pools filled
        samples = [(0, *rss_and_fds(pid))]
        load = wrk(server.url, options.duration, options.connections)
        started = time.monotonic()
        while load.poll() is None:
            time.sleep(SAMPLE_SECONDS)
            samples.append((round(time.monotonic() - started), *rss_and_fds(pid)))
        print(load.communicate()[0])
        for elapsed, rss, fds in samples:
            print(f"{elapsed:>5} s  rss {rss / 1024:7.1f} MiB  fds {fds}")
        first, last = samples[0][1], samples[-2][1] if len(samples) > 2 else samples[-1][1]
        print(f"RSS {first / 1024:.1f} -> {last / 1024:.1f} MiB ({(last / first - 1) * 100:+.1f} %) under load; "
              f"open fds at most {max(fds for _, _, fds in samples)}")
        return 0 if server.stop() == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
