"""The multi-host fault test (`make test-cluster`, marker `cluster`): a 3-member etcd on 127.0.0.2-4, three
"hosts" (servers bound to 127.0.0.2, .3, .4, each `--proc 2`, each listing its own member first), a
`single_process_coroutine` job every 200 ms that works 100 ms, and faults at fixed times:

    t= 4 s  kill the etcd leader (SIGKILL); t= 8 s restart it
    t=11 s  SIGSTOP a whole host for 4 s (longer than the 3 s TTL)
    t=17 s  SIGKILL a worker in the middle of a run (the supervisor replaces it)
    t=22 s  a 4 s stop-the-world stall in one process between choosing a slot and creating its key
    t=28 s  kill one host's own etcd member (a follower); that host must stay ready (`degraded`) and keep running
    t=36 s  stop the two other hosts: that host, alone, runs the next slots

Counted per slot, from the record file the job writes (`tests/support/run_record_job.py`) and the missed
reports in the servers' logs: no slot done twice; every slot done once or reported missed; and none missed, as
no fault outlasts the default catch-up deadline (2 x TTL = 6 s). Run once per etcd API.
"""

from __future__ import annotations

import os
import re
import signal
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, suppress
from pathlib import Path

import pytest

from tests.integration.locks.test_locking_endpoint import get
from tests.support.etcd_cluster import EtcdCluster
from tests.support.server_process import ServerProcess

pytestmark = [pytest.mark.cluster, pytest.mark.timeout(300)]

PERIOD_MS = 200
TTL = 3
END = 36.0  # seconds of faults and runs; every slot up to END - settle is counted
SETTLE = 8.0  # the catch-up deadline (6 s) and a margin: later slots may still be caught up when the hosts stop
MISSED = re.compile(r"job run-record: slot (\d+) missed")


def children(pid: int) -> list[int]:
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def host_signal(server: ServerProcess, signum: int) -> None:
    """Signal a whole host: its supervisor and every worker (one that exited since it was listed is passed over)."""
    assert server.process is not None
    for pid in [server.process.pid, *children(server.process.pid)]:
        with suppress(ProcessLookupError):
            os.kill(pid, signum)


def logs_of(server: ServerProcess) -> str:
    """What the host logged, each line once: the server writes every line to its output and to its log file, and a
    slot reported missed once must be counted once."""
    texts = [server.output()]
    texts += [path.read_text(errors="replace") for path in (server.workdir / "logs").glob("*.log*")]
    return "\n".join(dict.fromkeys(line for text in texts for line in text.splitlines()))


class Timeline:
    def __init__(self) -> None:
        self.started = time.monotonic()

    def wait_until(self, moment: float) -> None:
        time.sleep(max(0.0, self.started + moment - time.monotonic()))


@pytest.fixture
def hosts(etcd_cluster: EtcdCluster, lock_api: str, tmp_path: Path) -> Iterator[list[ServerProcess]]:
    with ExitStack() as stack:
        servers = []
        for index, own in enumerate(etcd_cluster.members):
            others = [member.address for member in etcd_cluster.members if member is not own]
            env = {"TB_JOB_SETUP": "tests.support.run_record_job:set_up", "TB_RUN_RECORD_FILE": str(tmp_path / "runs"),
                   "TB_RUN_RECORD_MILLIS": str(PERIOD_MS), "TB_RUN_RECORD_WORK_MILLIS": "100",
                   "TB_RUN_RECORD_HOST": str(index), "TB_RUN_RECORD_STALL_FILE": str(tmp_path / "stall"),
                   "TB_RUN_RECORD_STALL_SECONDS": str(TTL + 1)}
            args = ["--proc", "2", "--lock_server", "--lock_server_host", ",".join([own.address, *others]),
                    "--lock_api", lock_api, "--lock_ttl", str(TTL), "--no-metrics"]
            servers.append(stack.enter_context(ServerProcess(args, env=env, address=own.host, start_timeout=60)))
        yield servers
        for server in servers:
            if server.process is not None and server.process.poll() is None:
                host_signal(server, signal.SIGCONT)


def test_every_slot_is_completed_once_or_reported_missed_under_faults(etcd_cluster: EtcdCluster,
                                                                      hosts: list[ServerProcess],
                                                                      tmp_path: Path, lock_api: str) -> None:
    record = tmp_path / "runs"
    timeline = Timeline()
    counted_from = time.time() + 1.0
    timeline.wait_until(4)
    leader = etcd_cluster.wait_for_leader()
    leader.kill()
    timeline.wait_until(8)
    leader.start()

    timeline.wait_until(11)
    paused = hosts[0]
    host_signal(paused, signal.SIGSTOP)
    timeline.wait_until(15)
    host_signal(paused, signal.SIGCONT)

    timeline.wait_until(17)
    killed_slot, killed_pid = kill_a_worker_mid_run(record)

    timeline.wait_until(22)
    (tmp_path / "stall").touch()

    timeline.wait_until(28)
    current = etcd_cluster.wait_for_leader()
    follower = next(member for member in etcd_cluster.members if member is not current)
    own_host = hosts[etcd_cluster.members.index(follower)]
    follower.kill()
    follower_killed_at = time.time()
    degraded = wait_for_degraded(own_host)

    timeline.wait_until(END)
    counted_to = time.time() - SETTLE
    # Until now the host whose member died competed with two others for each slot, and may have lost every race on
    # a loaded machine; alone, it must run the next slots itself.
    for server in hosts:
        if server is not own_host:
            server.stop()
    wait_for_a_run(record, hosts.index(own_host), after=follower_killed_at + 1.0)
    own_host.stop()

    lines = [line.split() for line in record.read_text().splitlines()]
    done = Counter(int(fields[1]) for fields in lines if fields[0] == "done")
    missed = Counter(int(slot) for server in hosts for slot in MISSED.findall(logs_of(server)))
    stalls = [fields for fields in lines if fields[0] == "stall"]
    slots = range(int(counted_from * 1000) // PERIOD_MS * PERIOD_MS + PERIOD_MS, int(counted_to * 1000), PERIOD_MS)
    twice = {slot: count for slot, count in done.items() if count > 1}
    unaccounted = [slot for slot in slots if done[slot] + missed[slot] != 1]
    own_host_runs = runs_of(lines, hosts.index(own_host), after=follower_killed_at + 1.0)
    print(f"[{lock_api}] {len(slots)} slots counted: done once {sum(done[slot] == 1 for slot in slots)}, "
          f"missed {sum(missed[slot] for slot in slots)}, done twice {len(twice)}, unaccounted {len(unaccounted)}; "
          f"worker {killed_pid} killed in slot {killed_slot} (done {done[killed_slot]}x); stalls {stalls}; "
          f"host with a dead member: /health {degraded}, {len(own_host_runs)} runs after")

    epoch = counted_from - 1.0
    context = {slot: [" ".join(fields) for fields in lines if fields[1] == str(slot)]
               + [line for server in hosts for line in logs_of(server).splitlines() if str(slot) in line]
               for slot in unaccounted[:5]}
    assert twice == {}
    assert unaccounted == [], (f"slots neither done once nor reported missed, at t = "
                               f"{[round(slot / 1000 - epoch, 1) for slot in unaccounted[:20]]} s: {context}")
    assert sum(missed[slot] for slot in slots) == 0  # no fault outlasted the catch-up deadline
    assert done[killed_slot] == 1  # the killed worker's slot was taken over
    assert len(stalls) == 1
    assert degraded == (200, "degraded")
    assert own_host_runs, "the host whose member died stopped running jobs"


def kill_a_worker_mid_run(record: Path) -> tuple[int, int]:
    """SIGKILL a worker whose run has started and not finished; (its slot, its pid)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        # Complete lines only: a line being appended right now may be read in part.
        lines = [fields for line in record.read_text().splitlines()[-30:] if len(fields := line.split()) >= 4]
        finished = {(fields[1], fields[2]) for fields in lines if fields[0] in ("done", "lost")}
        for fields in reversed(lines):
            if fields[0] == "start" and (fields[1], fields[2]) not in finished:
                os.kill(int(fields[2]), signal.SIGKILL)
                return int(fields[1]), int(fields[2])
        time.sleep(0.01)
    raise AssertionError("no run in progress to kill")


def runs_of(lines: list[list[str]], host: int, after: float) -> list[list[str]]:
    """The record's `done` lines of `host` for slots later than `after` (epoch seconds)."""
    return [fields for fields in lines if len(fields) >= 4 and fields[0] == "done" and fields[3] == str(host)
            and int(fields[1]) > after * 1000]


def wait_for_a_run(record: Path, host: int, after: float) -> None:
    """Until `host` has completed a slot later than `after`; a hang guard only (it runs one every 200 ms alone)."""
    deadline = time.monotonic() + 30
    while not runs_of([line.split() for line in record.read_text().splitlines()], host, after):
        if time.monotonic() > deadline:
            return  # the assertion on its runs says what is wrong
        time.sleep(0.1)


def wait_for_degraded(server: ServerProcess) -> tuple[int, str]:
    """The host's /health once it has noticed its member is gone (or what it answered last)."""
    deadline = time.monotonic() + 10
    answer: tuple[int, str] = (0, "")
    while time.monotonic() < deadline:
        status, health = get(f"{server.url}/health")
        answer = (status, str(health.get("checks", {}).get("lock_server", {}).get("status")))
        if answer[1] == "degraded":
            return answer
        time.sleep(0.2)
    return answer
