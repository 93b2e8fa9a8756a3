"""The `Date` header every answer carries (RFC 9110 6.6.1), as text made once per second.

Tornado formats it for every answer (`httputil.format_timestamp`, through `email.utils`); its resolution is a
second, so the text of the current second is kept and reused until the clock moves on.
"""

from __future__ import annotations

import time

from tornado import httputil


class HTTPDate:
    """The `Date` header's text for the current second."""

    def __init__(self) -> None:
        self._second = -1
        self._text = ""

    def now(self) -> str:
        second = int(time.time())
        if second != self._second:
            self._text = httputil.format_timestamp(second)
            self._second = second
        return self._text
