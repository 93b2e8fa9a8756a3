"""Slot timings: the default catch-up deadline (one period, at least twice the TTL), markers that outlive the
look-back, and the window of slots a run looks at (never before the process's first slot, bounded)."""

from __future__ import annotations

from src.utils.concurrency.lock_manager import LockManager
from src.utils.concurrency.scheduled_run import ScheduledRun
from src.utils.concurrency.slot_runner import MAX_SLOTS_LOOKED_AT, SlotPolicy, SlotRunner


def test_default_deadline_is_one_period_and_at_least_twice_the_ttl() -> None:
    assert SlotPolicy.of(0.2, 3, None).catch_up == 6.0
    assert SlotPolicy.of(60.0, 3, None).catch_up == 60.0
    assert SlotPolicy.of(0.2, 3, 1.5).catch_up == 1.5


def test_markers_outlive_every_look_back() -> None:
    for policy in (SlotPolicy.of(0.2, 2, None), SlotPolicy.of(3600, 10, None), SlotPolicy.of(0.2, 1, 0.5)):
        assert policy.lookback > policy.catch_up
        assert policy.marker_ttl > policy.lookback + policy.catch_up


def test_the_window_starts_at_the_first_slot_of_the_process_and_is_bounded() -> None:
    runner = SlotRunner(LockManager("127.0.0.1", 1), "job")
    policy = SlotPolicy.of(0.2, 1, None)
    fresh = ScheduledRun("job", 1000.0, 0.2, since=999.6)
    assert runner._window(fresh, policy) == [999_600, 999_800, 1_000_000]
    assert runner._window(ScheduledRun("job", 1000.0, 0.2), policy) == [1_000_000]  # no grid: this slot only
    old = ScheduledRun("job", 1000.0, 0.2, since=0.0)
    window = runner._window(old, policy)
    assert window[-1] == 1_000_000 and window[0] == 1_000_000 - round(policy.lookback * 1000)
    tiny = SlotPolicy(0.001, 1, 100.0)
    assert len(runner._window(ScheduledRun("job", 1000.0, 0.001, since=0.0), tiny)) == MAX_SLOTS_LOOKED_AT + 1
    assert runner.key(1_000_000) == "/tornado-boilerplate/locks/.slots/job/000000001000000"
