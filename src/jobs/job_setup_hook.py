"""`TB_JOB_SETUP=package.module:function`: register extra jobs at start-up without editing the server.

The function is called with the process's `Scheduler` after the example jobs (if any). The integration tests use
it to add a recording job (`tests/support/run_record_job.py`) to real server processes; a deployment can use it
the same way. Unset (the default): nothing happens.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import cast

from src.jobs.scheduler import Scheduler

ENVIRONMENT_VARIABLE = "TB_JOB_SETUP"

JobSetup = Callable[[Scheduler], object]


def load_job_setup(environ: Mapping[str, str]) -> JobSetup | None:
    """The function named by TB_JOB_SETUP, or None; a malformed or missing target fails start-up clearly."""
    target = environ.get(ENVIRONMENT_VARIABLE, "").strip()
    if not target:
        return None
    module_name, _, function_name = target.partition(":")
    if not module_name or not function_name:
        raise ValueError(f"{ENVIRONMENT_VARIABLE} must look like package.module:function, not {target!r}")
    function = getattr(importlib.import_module(module_name), function_name, None)
    if not callable(function):
        raise ValueError(f"{ENVIRONMENT_VARIABLE}: {target!r} is not a function")
    return cast(JobSetup, function)
