"""A private Docker engine for the container tests: Debian's dockerd with its data root, exec root and socket in a
temporary folder, so it never touches (nor needs) a system daemon, and everything it made goes with the folder.

No registry is reachable and no NAT is set up (`--iptables=false --bridge=none`): builds use `--network host`,
containers join user-defined bridge networks (docker-compose's default network is one), which the host reaches
directly at the containers' addresses, and published ports go through docker-proxy on the host's loopback.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

DOCKERD = "/usr/sbin/dockerd"
# Debian's client, the same release as the daemon (a newer client elsewhere on PATH may speak a newer API).
DOCKER = "/usr/bin/docker"
DOCKER_COMPOSE = "docker-compose"
SETPRIV = "/usr/bin/setpriv"  # util-linux, on every Debian system


class DockerError(RuntimeError):
    pass


class DockerEngine:
    """`with DockerEngine() as engine: engine.docker("run", ...)`: dockerd started on entry, stopped on exit."""

    def __init__(self, start_timeout: float = 60.0) -> None:
        # A short path: the socket's must fit a sockaddr_un (108 bytes).
        self.root = Path(tempfile.mkdtemp(prefix="tb-dockerd-", dir="/tmp"))
        self.socket = self.root / "docker.sock"
        self.log_path = self.root / "dockerd.log"
        self.start_timeout = start_timeout
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def env(self) -> dict[str, str]:
        """The environment for docker and docker-compose: this engine only, no settings from the runner."""
        environment = {name: value for name, value in os.environ.items()
                       if not name.startswith(("DOCKER_", "COMPOSE_"))}
        environment.update(DOCKER_HOST=f"unix://{self.socket}", DOCKER_CONFIG=str(self.root / "client"))
        return environment

    def start(self) -> DockerEngine:
        for executable in (DOCKERD, DOCKER):
            if not Path(executable).exists():
                raise DockerError(f"{executable} is missing: `make install-requirements` installs docker.io")
        # setpriv --pdeathsig: SIGTERM to dockerd if the test process dies (killed by a timeout, say) before its
        # teardown could stop it, so no daemon outlives the run (it then stops its containers itself).
        command = [SETPRIV, "--pdeathsig", "TERM", DOCKERD, "--data-root", str(self.root / "data"),
                   "--exec-root", str(self.root / "exec"), "--host", f"unix://{self.socket}",
                   "--pidfile", str(self.root / "dockerd.pid"),
                   "--iptables=false", "--bridge=none", "--log-level=warn"]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise DockerError(f"dockerd exited with {self.process.returncode}:\n{self.log()}")
            if self.socket.exists() and self.docker("version", check=False).returncode == 0:
                return self
            time.sleep(0.2)
        self.stop()
        raise DockerError(f"dockerd did not answer within {self.start_timeout} s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:] if self.log_path.exists() else ""

    def docker(self, *args: str, check: bool = True, timeout: float = 300.0) -> subprocess.CompletedProcess[str]:
        return self._run([DOCKER, *args], check=check, timeout=timeout)

    def compose(self, project_dir: Path, project: str, *args: str, env: dict[str, str] | None = None,
                check: bool = True, timeout: float = 300.0) -> subprocess.CompletedProcess[str]:
        executable = shutil.which(DOCKER_COMPOSE)
        if executable is None:
            raise DockerError("docker-compose is missing: `make install-requirements` installs it")
        return self._run([executable, "--project-directory", str(project_dir), "--project-name", project, *args],
                         check=check, timeout=timeout, cwd=project_dir, env=env)

    def _run(self, argv: Sequence[str], check: bool, timeout: float, cwd: Path | None = None,
             env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(list(argv), env={**self.env, **(env or {})}, cwd=cwd, timeout=timeout,
                                capture_output=True, text=True, check=False)
        if check and result.returncode != 0:
            raise DockerError(f"{' '.join(argv[:4])}... exited with {result.returncode}:\n{result.stderr[-4000:]}")
        return result

    def inspect(self, name: str) -> dict[str, Any]:
        document = json.loads(self.docker("inspect", name).stdout)
        assert isinstance(document, list) and len(document) == 1
        return dict(document[0])

    def image_exists(self, tag: str) -> bool:
        return self.docker("image", "inspect", tag, check=False).returncode == 0

    def host_pids(self, container: str) -> list[int]:
        """The host's process ids of every process in the container."""
        lines = self.docker("top", container, "-o", "pid").stdout.split()
        return [int(line) for line in lines[1:]]

    def remove_everything(self) -> None:
        """Containers, networks and volumes this engine holds (images go with the data root)."""
        containers = self.docker("ps", "--all", "--quiet", check=False).stdout.split()
        if containers:
            self.docker("rm", "--force", "--volumes", *containers, check=False)
        self.docker("network", "prune", "--force", check=False)
        self.docker("volume", "prune", "--force", check=False)

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            self.remove_everything()
            os.kill(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        _unmount_below(self.root)
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> DockerEngine:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()


def _unmount_below(root: Path) -> None:
    """Mounts dockerd left under `root` (after a crash), deepest first, so the folder can be removed."""
    prefix = str(root) + "/"
    mounts = [line.split()[1] for line in Path("/proc/self/mounts").read_text().splitlines()
              if line.split()[1].startswith(prefix)]
    for mount in sorted(mounts, key=len, reverse=True):
        subprocess.run(["umount", "-l", mount], check=False, capture_output=True)
