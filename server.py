#!/usr/bin/env python3
"""tornado-boilerplate entry point: `python server.py -h` lists every setting."""

import gc
import signal
import sys

if __name__ == "__main__":
    # Held back until the server handles them, so a stop signal during the imports below is a clean stop.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    # Start-up allocates much and frees little (modules, classes, the route table): collecting during it costs
    # ~4 % of its instructions for a few hundred cyclic objects. A worker turns the collector on once started.
    gc.disable()

from src.server.server import main

if __name__ == "__main__":
    exit_code = main()
    # Stopped. Python's own exit gives signal handlers back as SIG_DFL, and a late stop signal would then turn
    # this exit code into 143: from here on stop signals change nothing.
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, signal.SIG_IGN)
    sys.exit(exit_code)
