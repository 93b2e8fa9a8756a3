#!/opt/nx-27017/bin/python
"""nx-27017 as a container's PID 1: the kernel drops SIGTERM for a PID 1 without a handler, so `docker stop` would
wait out its grace period and SIGKILL; this handler makes it stop at once, as mongod does."""

import signal
import sys

from nx_27017.nx_27017 import main  # type: ignore[import-untyped]

signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
sys.exit(main())
