"""Ctrl-C and SIGTERM: a run stops at once, except while its result is moved into place.

``install`` makes both signals raise ``Interrupted``, a ``BaseException`` that
no ``except Exception`` swallows (click turns a ``KeyboardInterrupt`` into a
return value, and a script would take the interrupted run for a success). The
few milliseconds in which the files of a run are moved into place run under
``deferred``: a signal then waits until the result is whole, and the run ends
normally. This module imports nothing heavy, so the command can install its
handlers before the libraries load.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

SIGNALS = (signal.SIGINT, signal.SIGTERM, *([signal.SIGHUP] if hasattr(signal, "SIGHUP") else []))  # HUP: terminal closed


class Interrupted(BaseException):
    """The run was stopped by ``signum``; the command exits ``128 + signum``."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum
        self.key = "interrupted"  # the catalogue text the command prints: what was kept

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


_deferring = 0
_pending: int | None = None  # the signal that stopped the run


def _raise(signum: int, frame: object) -> None:
    global _pending
    if _deferring or _pending is not None:
        return  # the result is being moved into place, or the run is already stopping: let it finish its cleanup
    _pending = signum
    raise Interrupted(signum)


def check() -> None:
    """Raise ``Interrupted`` if a signal came whose exception Python swallowed.

    Python only prints an exception raised where it cannot propagate: in an
    at-fork hook (a signal during ``fork``), a ``__del__``, a weakref callback.
    Called after a fork and before a result is moved into place, so a run that
    was asked to stop never replaces the earlier result.
    """
    if _pending is not None:
        raise Interrupted(_pending)


def _unraisable(unraisable: sys.UnraisableHookArgs) -> None:
    """Python's report of an exception it swallowed, without ours: ``check`` raises it again."""
    if not isinstance(unraisable.exc_value, Interrupted):
        sys.__unraisablehook__(unraisable)


def install() -> None:
    """Make SIGINT and SIGTERM raise ``Interrupted`` (also where the shell started us with SIGINT ignored)."""
    global _pending
    _pending = None
    if threading.current_thread() is threading.main_thread():
        for s in SIGNALS:
            signal.signal(s, _raise)
        # a signal in an at-fork hook (logging's lock release) is swallowed and printed as
        # "Exception ignored in ...": not printed; remembered in _pending and raised by check()
        sys.unraisablehook = _unraisable


def exit_at_once(line: str) -> None:
    """Until ``install``: a signal writes ``line`` and ends the process (nothing is written yet)."""

    def stop(signum: int, frame: object) -> None:
        os.write(2, f"{line}\n".encode())
        os._exit(128 + signum)

    for s in SIGNALS:
        signal.signal(s, stop)


def ignore() -> None:
    """At the end: a late signal no longer changes the outcome (and, ignored, it
    cannot kill the process while Python shuts down, which restores the default
    action for signals that had a Python handler)."""
    if threading.current_thread() is threading.main_thread():
        for s in SIGNALS:
            signal.signal(s, signal.SIG_IGN)


@contextmanager
def deferred() -> Iterator[None]:
    """Signals that arrive inside are dropped; the block finishes (it must be short)."""
    global _deferring
    _deferring += 1
    try:
        yield
    finally:
        _deferring -= 1
