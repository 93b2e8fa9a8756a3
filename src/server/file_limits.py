"""The process's open-file limit, raised at start-up, and the connection limit derived from it."""

from __future__ import annotations

import resource

# Descriptors kept free for what is not a client connection: log files, the embedded store, outbound calls.
MIN_HEADROOM = 32
HEADROOM_FRACTION = 8  # an eighth of the limit, at least MIN_HEADROOM


def raise_open_file_limit() -> tuple[int, int, int]:
    """Set the soft RLIMIT_NOFILE to the hard limit; returns (soft before, soft now, hard)."""
    before, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(before, 1024 * 1024)
    if before != resource.RLIM_INFINITY and before < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError):
            target = before  # a container may refuse; serving at the old limit is still correct
    else:
        target = before
    return before, target, hard


def default_max_connections(open_file_limit: int) -> int:
    """Client connections to accept at most: the open-file limit less the headroom."""
    headroom = max(MIN_HEADROOM, open_file_limit // HEADROOM_FRACTION)
    return max(1, open_file_limit - headroom)


def current_open_file_limit() -> int:
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]
