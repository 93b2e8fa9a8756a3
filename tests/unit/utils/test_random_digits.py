"""`random_hex`: lowercase hex digits from `os.urandom`'s bytes, never the same digits twice, across pool refills,
threads and a fork."""

from __future__ import annotations

import os
import re
import threading

from src.utils.random_digits import random_hex

_HEX = re.compile(r"[0-9a-f]+")


def test_digits_are_lowercase_hex_of_the_length_asked_for() -> None:
    for count in (1, 16, 32, 40, 64, 9000):  # 9000: more than one pool holds
        digits = random_hex(count)
        assert len(digits) == count and _HEX.fullmatch(digits)


def test_no_draw_repeats_another_across_refills_of_the_pool() -> None:
    drawn = [random_hex(32) for _ in range(5000)]  # about 40 refills of the pool
    assert len(set(drawn)) == len(drawn)


def test_threads_drawing_at_once_never_get_the_same_digits() -> None:
    drawn: list[list[str]] = [[] for _ in range(4)]

    def draw(into: list[str]) -> None:
        into.extend(random_hex(40) for _ in range(3000))

    threads = [threading.Thread(target=draw, args=(into,)) for into in drawn]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [digits for into in drawn for digits in into]
    assert len(set(every)) == len(every) == 12000


def test_a_forked_child_does_not_hand_out_its_parents_next_digits() -> None:
    random_hex(32)  # the pool holds digits the child inherits
    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child process
        os.write(writing, random_hex(64).encode())
        os._exit(0)
    os.close(writing)
    try:
        from_child = os.read(reading, 64).decode()
    finally:
        os.close(reading)
        os.waitpid(child, 0)
    assert _HEX.fullmatch(from_child) and len(from_child) == 64
    assert from_child != random_hex(64)
