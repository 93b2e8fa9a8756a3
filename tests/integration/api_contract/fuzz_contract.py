"""`make fuzz-contract SEEDS=20`: hunt for API/document mismatches the fixed contract run does not meet.

Each seed gets a fresh server (and one etcd for all) and a schemathesis run with random generation from that seed,
more examples per operation and every phase, bounded by `--max-time`. The CI run (`test_schemathesis_run.py`) stays
derandomized and fixed; this one explores. A failing seed reproduces with `--seeds 1 --first-seed N`; its whole
output is kept under the printed directory.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.support.etcd_process import EtcdProcess
from tests.support.server_process import ServerProcess

CONFIG = Path(__file__).with_name("schemathesis.toml")
DETERMINISTIC = "generation.deterministic = true"


def random_generation_config(directory: Path) -> Path:
    """The CI configuration with derandomized generation switched off, so that `--seed` decides the cases."""
    text = CONFIG.read_text()
    if DETERMINISTIC not in text:
        raise SystemExit(f"{CONFIG} no longer says {DETERMINISTIC!r}: update {__file__}")
    config = directory / "schemathesis.toml"
    config.write_text(text.replace(DETERMINISTIC, "generation.deterministic = false"))
    return config


def run_seed(seed: int, examples: int, max_time: int, config: Path, etcd: EtcdProcess, directory: Path) -> bool:
    with ServerProcess(["--lock_server", "--lock_server_host", etcd.host, "--lock_server_port", str(etcd.port),
                        "--locking_hold_seconds", "0"]) as server:
        command = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "run",
                   f"{server.url}/openapi.json", "--checks", "all", "--seed", str(seed),
                   "--max-examples", str(examples), "--max-time", str(max_time), "--no-color"]
        result = subprocess.run(command, capture_output=True, text=True, timeout=max_time + 300, cwd=directory,
                                check=False)
        output = directory / f"seed-{seed}.txt"
        output.write_text(f"{result.stdout}\n{result.stderr}\n--- server ---\n{server.output()[-20_000:]}")
    failures = [line.strip() for line in result.stdout.splitlines() if line.strip().startswith("❌ ")]
    warnings = [line.strip() for line in result.stdout.splitlines() if line.strip().startswith("⚠️")]
    verdict = "ok" if result.returncode == 0 else "FAILED"
    print(f"seed {seed}: {verdict} {'; '.join(failures + warnings)}  ({output})", flush=True)
    return result.returncode == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20, help="how many seeds to run")
    parser.add_argument("--first-seed", type=int, default=1)
    parser.add_argument("--examples", type=int, default=60, help="examples per operation")
    parser.add_argument("--max-time", type=int, default=90, help="seconds per seed")
    arguments = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="fuzz-contract-"))
    config = random_generation_config(directory)
    with EtcdProcess() as etcd:
        green = [run_seed(seed, arguments.examples, arguments.max_time, config, etcd, directory)
                 for seed in range(arguments.first_seed, arguments.first_seed + arguments.seeds)]
    print(f"{sum(green)} of {len(green)} seeds green; outputs in {directory}")
    return 0 if all(green) else 1


if __name__ == "__main__":
    sys.exit(main())
