"""A real 3-member etcd cluster for integration tests, one member per loopback address (127.0.0.2, .3, .4 by
default, standing for three machines), free ports, data in memory; started together, stopped and removed after.

`leader()` asks the members which of them leads (v2 stats); members are `EtcdProcess`es, so a test can
`kill()`, `start()` (restart on its data), `pause()` or `resume()` any of them.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from types import TracebackType

from tests.support.etcd_process import EtcdProcess

HOSTS = ("127.0.0.2", "127.0.0.3", "127.0.0.4")


class EtcdCluster:
    """`with EtcdCluster() as cluster: LockManager(cluster.endpoints, ...)`."""

    def __init__(self, hosts: Sequence[str] = HOSTS, start_timeout: float = 30.0, data_in_memory: bool = True) -> None:
        self.members = [EtcdProcess(start_timeout=start_timeout, data_in_memory=data_in_memory, host=host,
                                    name=f"member-{index}") for index, host in enumerate(hosts)]
        initial = ",".join(f"{member.name}={member.peer_url}" for member in self.members)
        for member in self.members:
            member.initial_cluster = initial

    @property
    def endpoints(self) -> str:
        """The `--lock_server_host` value naming every member."""
        return ",".join(member.address for member in self.members)

    def start(self) -> EtcdCluster:
        for member in self.members:
            member.launch()
        for member in self.members:
            member.wait_ready()
        self.wait_for_leader()
        return self

    def leader(self) -> EtcdProcess | None:
        for member in self.members:
            if member.process is None or member.process.poll() is not None or member.paused:
                continue
            try:
                with urllib.request.urlopen(member.url + "/v2/stats/self", timeout=1) as response:
                    if json.loads(response.read()).get("state") == "StateLeader":
                        return member
            except (urllib.error.URLError, ConnectionError, TimeoutError, ValueError):
                continue
        return None

    def wait_for_leader(self, timeout: float = 30.0) -> EtcdProcess:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            leader = self.leader()
            if leader is not None:
                return leader
            time.sleep(0.1)
        raise RuntimeError("the etcd cluster elected no leader in time:\n"
                           + "\n".join(member.output()[-2000:] for member in self.members))

    def close(self) -> None:
        for member in self.members:
            member.close()

    def __enter__(self) -> EtcdCluster:
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
