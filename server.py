#!/usr/bin/env python3
"""tornado-boilerplate entry point: `python server.py -h` lists every setting."""

import sys

from src.server.server import main

if __name__ == "__main__":
    sys.exit(main())
