"""`DirectRoute`: pre-formatted lines of one logger written straight into its buffered handlers.

The canonical line is written once per request. Through the logging module it is a `LogRecord` that
`Logger.handle` filters and passes up the logger tree, each handler's `handle` filters and locks, and each
formatter fills in its format string: about half of the line's cost. When the handlers a logger's records
reach are all `BufferedHandler`s with a `LogfmtFormatter` and nothing filters on the way (the default set-up),
the result is known in advance: the format string with the process's constant attributes and the current
second filled in, the milliseconds and the line's text put in their places, appended to each handler whose
level lets it through. That is what a route does, with the same lines, handler levels and flushing.

A route checks on every use that the set-up it was made for is still the one in place (the loggers' handlers
and propagation, the handlers' filters and formatters, the process's pid, worker label and service name);
when it changed, or another kind of handler or a filter is involved (pytest's capture, an operator's
dictConfig), `write` returns False and the caller logs the record the standard way.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Mapping
from typing import Any

from src.utils.logging.buffered_handlers import BufferedHandler
from src.utils.logging.formatter import MESSAGE_MARK, MILLISECONDS_MARK, TIME_MARK, LogfmtFormatter
from src.utils.logging.record_attributes import identity

# The attributes of a pre-formatted record that change from one record to the next, besides the time and the
# message: a format string that uses one of them is formatted per record, the standard way.
_PER_RECORD = frozenset({"msg", "args", "exc_info", "exc_text", "stack_info", "created", "msecs",
                         "relativeCreated", "thread", "threadName", "req_id", "request_fields"})
# Per level: each handler with its formatter and that formatter's line template (None: no route at that level).
Plan = tuple[tuple[BufferedHandler, LogfmtFormatter, str], ...]
# A line as (head, slot, middle, slot, tail); a slot is 0 (nothing), 1 (the milliseconds) or 2 (the message).
Pieces = tuple[str, int, str, int, str]
# Per level, for the current second: each handler with its formatter and its line's pieces.
Lines = tuple[tuple[BufferedHandler, LogfmtFormatter, Pieces], ...]
_MILLISECONDS = tuple(f"{number:03d}" for number in range(1000))
_SLOTS = {MILLISECONDS_MARK: 1, MESSAGE_MARK: 2}
_SLOT = re.compile("(" + "|".join(map(re.escape, _SLOTS)) + ")")


class DirectRoute:
    """The handlers `logger`'s pre-formatted records reach, for records whose constant attributes are
    `attributes` (name, module, function and the rest a format string may use); see the module docstring."""

    def __init__(self, logger: logging.Logger, attributes: Mapping[str, Any]) -> None:
        self.logger = logger
        self.attributes = {key: value for key, value in attributes.items() if key not in _PER_RECORD}
        self._identity: tuple[int, str, str] | None = None
        self._loggers: tuple[tuple[logging.Logger, list[logging.Handler], bool], ...] = ()
        self._handlers: tuple[tuple[logging.Handler, list[Any], logging.Formatter | None], ...] = ()
        self._targets: list[tuple[BufferedHandler, LogfmtFormatter]] | None = None
        self._plans: dict[int, Plan | None] = {}
        self._second = -1
        self._lines: dict[int, Lines | None] = {}

    def write(self, levelno: int, message: str) -> bool:
        """Append `message` as the line of a record at `levelno` to every handler it reaches; False (nothing
        written) when the set-up is not one a route can write to."""
        if self._identity is not identity() or self._changed():
            self._rebuild()
        created = time.time()
        second = int(created)
        if second != self._second:
            self._second = second
            self._lines.clear()
        # One look-up, not `in` then `[]`: another thread may clear the dict in between. A made one is never ().
        lines = self._lines.get(levelno, ())
        if lines == ():
            lines = self._lines_of_second(levelno, second)
        if lines is None:
            return False
        values = ("", _MILLISECONDS[int((created - second) * 1000)], message)
        line = ""
        formatted_by = None
        for handler, formatter, (head, first, middle, second_value, tail) in lines:
            if levelno < handler.level:
                continue
            if formatter is not formatted_by:  # handlers sharing a formatter share the line
                line = f"{head}{values[first]}{middle}{values[second_value]}{tail}"
                formatted_by = formatter
            with handler.lock:  # type: ignore[union-attr]  # a Handler has its lock from its __init__
                handler.add_line(line, levelno)
        return True

    def _lines_of_second(self, levelno: int, second: int) -> Lines | None:
        """The plan of `levelno` with each template cut, for `second`, around the milliseconds and the message."""
        plan = self._plans.get(levelno, ())
        if plan == ():
            plan = self._plan(levelno)
        lines: Lines | None = None
        if plan is not None:
            pieces = [_pieces(template.replace(TIME_MARK, formatter.time_template(second, formatter.datefmt)))
                      for _, formatter, template in plan]
            if all(piece is not None for piece in pieces):
                lines = tuple((handler, formatter, piece) for (handler, formatter, _), piece
                              in zip(plan, pieces, strict=True) if piece is not None)
        self._lines[levelno] = lines
        return lines

    def _plan(self, levelno: int) -> Plan | None:
        """Each target with its formatter's template for records at `levelno`; None if one has none."""
        plan: Plan | None = None
        if self._targets:
            pid, worker, service = identity()
            attributes = {**self.attributes, "levelno": levelno, "levelname": logging.getLevelName(levelno),
                          "process": pid, "worker": worker, "service_name": service}
            templates = [formatter.line_template(attributes) for _, formatter in self._targets]
            if all(template is not None for template in templates):
                plan = tuple((handler, formatter, template) for (handler, formatter), template
                             in zip(self._targets, templates, strict=True) if template is not None)
        self._plans[levelno] = plan
        return plan

    def _changed(self) -> bool:
        """Whether a logger on the way got or lost a handler or changed its propagation, or a handler its
        filters or formatter, since the route was made."""
        for logger, handlers, propagate in self._loggers:
            if logger.handlers != handlers or logger.propagate is not propagate:
                return True
        for handler, filters, formatter in self._handlers:
            if handler.filters != filters or handler.formatter is not formatter:
                return True
        logger = self.logger
        return bool(logger.disabled or logger.filters)

    def _rebuild(self) -> None:
        self._identity = identity()
        self._plans.clear()
        self._lines.clear()
        loggers = []
        handlers = []
        logger: logging.Logger | None = self.logger
        while logger is not None:
            loggers.append((logger, list(logger.handlers), logger.propagate))
            handlers += [(handler, list(handler.filters), handler.formatter) for handler in logger.handlers]
            logger = logger.parent if logger.propagate else None
        self._loggers = tuple(loggers)
        self._handlers = tuple(handlers)
        self._targets = self._find_targets()

    def _find_targets(self) -> list[tuple[BufferedHandler, LogfmtFormatter]] | None:
        """Every handler a record reaches, with its formatter; None if one is not a plain buffered handler
        with a plain `LogfmtFormatter`, something filters, or there is no handler (logging's last resort)."""
        if self.logger.disabled or self.logger.filters:
            return None
        targets = []
        for handler, filters, formatter in self._handlers:
            kind = type(handler)
            if (filters or not isinstance(handler, BufferedHandler) or kind.emit is not BufferedHandler.emit
                    or kind.handle is not logging.Handler.handle or kind.format is not logging.Handler.format
                    or type(formatter) is not LogfmtFormatter):
                return None
            assert isinstance(formatter, LogfmtFormatter)
            targets.append((handler, formatter))
        return targets or None


def _pieces(template: str) -> Pieces | None:
    """`template` cut around its milliseconds and its message (each there once at most), or None."""
    parts = _SLOT.split(template)
    slots = [_SLOTS[mark] for mark in parts[1::2]]
    if len(slots) > 2 or len(set(slots)) != len(slots):
        return None
    texts = parts[::2]
    while len(slots) < 2:
        slots.append(0)
        texts.append("")
    return texts[0], slots[0], texts[1], slots[1], texts[2]
