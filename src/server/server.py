"""Start-up and shutdown sequence, process model and signal handling.

One process (`--proc 1`): it binds the port, starts its components, serves, and on SIGTERM/SIGINT stops
accepting, lets in-flight requests finish (bounded by `--shutdown_grace`), runs the shutdown hooks, flushes the
logs and exits 0.

Several (`--proc N`, 0 = one per core): a supervisor forks N workers. Each worker binds its own listening socket
with SO_REUSEPORT, so the kernel spreads connections across workers (a shared accept socket was measured to put
every keep-alive connection on one worker). Everything that starts threads or sockets (database, etcd and HTTP
clients) is created in the worker, after the fork. The supervisor restarts a worker that dies, forwards
SIGTERM/SIGINT to all of them and exits after they have.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import signal
import socket
import ssl
import sys
import time
from collections.abc import Callable, Sequence
from types import FrameType

from tornado.netutil import bind_sockets

from src.database.database_startup import describe
from src.lifecycle import InFlightRequests, Lifecycle
from src.server.application_factory import ApplicationFactory
from src.server.components import start_components
from src.server.file_limits import raise_open_file_limit
from src.server.http_server_factory import HTTPServerFactory, StartupError
from src.server.metrics_startup import preload_metrics_library
from src.server.router import Router
from src.server.starting_line import log_starting
from src.settings import ApplicationContext, SettingsError
from src.utils.command_line.argument_parsing_utils import ArgumentParsingUtils
from src.utils.logging.logging_setup import configure_logging, flush_logging
from src.utils.metrics import multiprocess_directory

# A worker that dies this soon after starting, this many times in a row, is not restarted again.
CRASH_WINDOW_SECONDS = 2.0
MAX_QUICK_CRASHES = 5


_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
_SUPERVISOR_SIGNALS = {signal.SIGCHLD, *_STOP_SIGNALS}
# Set by a stop signal that arrives before the worker's event loop handles signals itself (during start-up).
_stop_requested_early = False


def _logger() -> logging.Logger:
    return logging.getLogger("tornado_boilerplate.server")


def _note_early_stop(_signum: int, _frame: FrameType | None) -> None:
    global _stop_requested_early  # noqa: PLW0603 - a signal handler can only talk through process state
    _stop_requested_early = True


def _handle_stop_signals_early() -> None:
    """Note stop signals until the event loop takes them, and let through any that server.py held back."""
    for signum in _STOP_SIGNALS:
        signal.signal(signum, _note_early_stop)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `python server.py`; returns the process exit code."""
    try:
        context = ArgumentParsingUtils.parse(argv)
        tls = HTTPServerFactory.ssl_context(context)
        processes = context.server.proc or os.cpu_count() or 1
        if processes == 1:
            sockets = _bind(context, reuse_port=False)
        else:
            reservation = _reserve_port(context)
        # Inside the try: an unusable logging set-up (bad dictConfig, unwritable log folder) is a settings error.
        configure_logging(context, worker_id=None, supervisor=processes > 1)
    except (SettingsError, StartupError) as error:
        print(f"server.py: error: {error}", file=sys.stderr)
        return 2
    _raise_open_file_limit(context)
    if processes == 1:
        _handle_stop_signals_early()
        return run_worker(context, tls, worker_id=None, sockets=sockets)
    try:
        return Supervisor(context, tls, processes).run()
    finally:
        reservation.close()


def _raise_open_file_limit(context: ApplicationContext) -> None:
    """Every connection is a descriptor: serve up to the hard limit, not the (often 1,024) soft default."""
    before, soft, hard = raise_open_file_limit()
    _logger().debug("open files limit: soft %d (was %d), hard %d; serving at most %d connections per process",
                   soft, before, hard, HTTPServerFactory.max_connections(context))


def _bind(context: ApplicationContext, reuse_port: bool) -> list[socket.socket]:
    try:
        return bind_sockets(context.server.port, context.server.address, reuse_port=reuse_port)
    except OSError as error:
        raise StartupError(f"invalid setting port: cannot listen on {context.server.address}:"
                           f"{context.server.port}: {error.strerror}") from None


def _reserve_port(context: ApplicationContext) -> socket.socket:
    """Bind (without listening) a SO_REUSEPORT socket in the supervisor: fails early if the port is taken, and
    keeps it ours while workers come and go. A socket that does not listen receives no connections."""
    family, kind, proto, _, address = socket.getaddrinfo(
        context.server.address, context.server.port, socket.AF_UNSPEC, socket.SOCK_STREAM, 0, socket.AI_PASSIVE)[0]
    reservation = socket.socket(family, kind, proto)
    reservation.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    reservation.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        reservation.bind(address)
    except OSError as error:
        reservation.close()
        raise StartupError(f"invalid setting port: cannot listen on {context.server.address}:"
                           f"{context.server.port}: {error.strerror}") from None
    return reservation


def run_worker(context: ApplicationContext, tls: ssl.SSLContext | None, worker_id: int | None,
               sockets: list[socket.socket] | None = None) -> int:
    """Serve until SIGTERM/SIGINT in this process; returns the exit code."""
    with asyncio.Runner(loop_factory=event_loop_factory(context.server.loop)) as runner:
        return runner.run(Worker(context, tls, worker_id).serve(sockets))


def event_loop_factory(loop: str) -> Callable[[], asyncio.AbstractEventLoop]:
    """What makes the worker's event loop for `--loop`. uvloop is imported here, in the worker after the fork: a
    loop must never be shared by a parent and its child."""
    if loop == "uvloop":
        import uvloop  # noqa: PLC0415 - imported only when chosen (a worker with --loop asyncio never loads it)

        return uvloop.new_event_loop
    return asyncio.SelectorEventLoop


class Worker:
    """One serving process: components, Application, HTTPServer, and the graceful stop."""

    def __init__(self, context: ApplicationContext, tls: ssl.SSLContext | None, worker_id: int | None) -> None:
        self.context = context
        self.tls = tls
        self.worker_id = worker_id

    async def serve(self, sockets: list[socket.socket] | None) -> int:
        logger = _logger()
        lifecycle = Lifecycle()
        try:
            components = await start_components(self.context, lifecycle, Router.features(self.context))
        except Exception:
            logger.exception("start-up failed")
            await lifecycle.shutdown()
            flush_logging()
            return 1
        application = ApplicationFactory.create(components)
        server = HTTPServerFactory.create(application, self.context, self.tls)
        server.add_sockets(sockets if sockets is not None else _bind(self.context, reuse_port=True))

        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in _STOP_SIGNALS:
            loop.add_signal_handler(signum, stop.set)
        if _stop_requested_early:  # asked to stop while starting: serve nothing, stop cleanly
            stop.set()
        # Objects alive after start-up never become garbage; keeping them out of the collector's generations
        # shortens the full collections that otherwise pause requests under load. server.py starts with the
        # collector off: it runs from here on.
        gc.freeze()
        gc.enable()
        if self.worker_id is None:  # the only process: its start-up line says it all
            log_starting(self.context, processes=1)
        else:
            logger.info("listening on %s with the %s", self.context.server.url, describe(self.context.database))

        await stop.wait()
        # The loop gives its handlers back as SIG_DFL when it closes: a second stop signal during the drain or
        # the teardowns would then kill the worker mid-shutdown. Noting it is all a second signal needs.
        for signum in _STOP_SIGNALS:
            loop.remove_signal_handler(signum)
        _handle_stop_signals_early()
        logger.info("stopping: no new connections; waiting up to %.1f s for in-flight requests",
                    self.context.server.shutdown_grace)
        grace_ends = time.monotonic() + self.context.server.shutdown_grace
        unanswered = await server.drain(self.context.server.shutdown_grace)
        # Handlers whose client has gone may still be writing; the teardowns below must not cut them off.
        in_flight: InFlightRequests = application.settings["in_flight"]
        if not await in_flight.wait_idle(max(0.0, grace_ends - time.monotonic())) or unanswered:
            logger.warning("shutdown grace period over with %d request(s) still in flight",
                           max(unanswered, in_flight.count))
        await lifecycle.shutdown()
        logger.info("stopped")
        flush_logging()
        return 0


class Supervisor:
    """Forks the workers, restarts one that dies, forwards SIGTERM/SIGINT and waits for all of them."""

    def __init__(self, context: ApplicationContext, tls: ssl.SSLContext | None, processes: int) -> None:
        self.context = context
        self.tls = tls
        self.processes = processes
        self.children: dict[int, tuple[int, float]] = {}  # pid -> (worker id, start time)
        self.stopping = False
        self.quick_crashes = 0

    def run(self) -> int:
        logger = _logger()
        # Every signal the supervisor acts on stays blocked and is taken by sigwaitinfo() in the loop below. A
        # Python-level handler could not be relied on: a signal that lands just before the loop enters os.wait()
        # leaves its handler waiting until some child exits, so a SIGTERM could go unforwarded for good.
        signal.pthread_sigmask(signal.SIG_BLOCK, _SUPERVISOR_SIGNALS)  # any server.py held back stay pending
        # Every worker's metric values, summed by whichever worker answers a scrape; fresh at each start.
        metrics_folder = multiprocess_directory.create() if self.context.server.metrics else None
        if metrics_folder is not None:
            preload_metrics_library()
        for worker_id in range(self.processes):
            self._spawn(worker_id)
        gc.enable()  # server.py started with it off; each worker turns its own on once started
        log_starting(self.context, self.processes)
        logger.info("supervising %d workers on port %d", self.processes, self.context.server.port)
        exit_code = 0
        while self.children:
            received = signal.sigwaitinfo(_SUPERVISOR_SIGNALS).si_signo
            if received != signal.SIGCHLD:
                self.stopping = True
                self._forward(received)
                continue
            for pid, code in _exited_children():
                if pid not in self.children:
                    continue
                worker_id, started = self.children.pop(pid)
                if metrics_folder is not None:
                    multiprocess_directory.worker_died(metrics_folder, pid)
                if self.stopping:
                    exit_code = exit_code or (1 if code not in (0, -signal.SIGTERM, -signal.SIGINT) else 0)
                    continue
                quick = time.monotonic() - started < CRASH_WINDOW_SECONDS
                self.quick_crashes = self.quick_crashes + 1 if quick else 0
                if self.quick_crashes >= MAX_QUICK_CRASHES:
                    logger.error("worker %d keeps dying at start-up (exit %d); stopping", worker_id, code)
                    self._forward(signal.SIGTERM)
                    self.stopping = True
                    exit_code = 1
                    continue
                logger.warning("worker %d (pid %d) exited with %d; restarting it", worker_id, pid, code)
                self._spawn(worker_id)
        if metrics_folder is not None:
            multiprocess_directory.remove(metrics_folder)
        logger.info("all workers stopped")
        flush_logging()
        return exit_code

    def _spawn(self, worker_id: int) -> None:
        flush_logging()
        # The supervisor's signals are blocked (see run): the child inherits that mask and unblocks them itself
        # once it handles stop signals, so a stop signal sent to it right after the fork is held, not lost.
        pid = os.fork()
        if pid == 0:  # the worker: never returns into the supervisor's code
            code = 1
            try:
                signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
                _handle_stop_signals_early()
                configure_logging(self.context, worker_id=worker_id)
                code = run_worker(self.context, self.tls, worker_id)
            except BaseException:  # noqa: BLE001 - report and exit; a worker must not unwind into the supervisor
                _logger().exception("worker %d failed", worker_id)
            finally:
                flush_logging()
                os._exit(code)
        self.children[pid] = (worker_id, time.monotonic())

    def _forward(self, signum: int) -> None:
        for pid in list(self.children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signum)


def _exited_children() -> list[tuple[int, int]]:
    """(pid, exit code) of every child that has exited and not been reaped yet; SIGCHLDs merge, so reap all."""
    exited: list[tuple[int, int]] = []
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return exited
        if pid == 0:
            return exited
        exited.append((pid, os.waitstatus_to_exitcode(status)))
