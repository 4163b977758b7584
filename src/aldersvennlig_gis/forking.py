"""Run one piece of work in a forked child while the parent does another.

The machines planners run this on have two or more cores; reading an extract
and writing the outputs each split into two independent halves. Where ``fork``
is unavailable (Windows, say), the caller is itself a pool worker (which
may not have children) or runs in a thread other than the main one (a Dask
task), the work runs in the calling process instead.

No child outlives its parent: when the parent stops with an exception (an
input error, Ctrl-C, SIGTERM) it kills the child at once, and on Linux the
kernel kills the child when the parent dies without a word (SIGKILL, the
out-of-memory killer). The child holds no end of the pipe but its own, so it
never blocks on a parent that is gone.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any

from . import interrupt

_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _call(fn: Callable, args: tuple) -> tuple[str, Any]:
    try:
        return "ok", fn(*args)
    except BaseException as exc:  # handed to the parent, which raises it
        return "error", exc


def _unwrap(status: str, payload: Any) -> Any:
    if status == "error":
        raise payload
    return payload


def _die_with(parent: int) -> None:
    """Ask the kernel to kill this process when its parent dies (Linux)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def _child(fn: Callable, args: tuple, conn, other_end, parent: int) -> None:
    _die_with(parent)
    other_end.close()
    status, payload = _call(fn, args)
    try:
        conn.send((status, payload))
    except BrokenPipeError:
        pass  # the parent gave up on us
    except Exception as exc:  # a result or exception that does not pickle
        conn.send(("error", RuntimeError(f"{fn.__name__}: {payload!r} ({exc})")))


class Pending:
    """Work started by ``start``: ``result()`` waits for it; leaving a ``with``
    block on an exception kills it instead."""

    def __init__(self, fn: Callable, done: tuple | None = None, child=None, receive=None) -> None:
        self._fn, self._done, self._child, self._receive = fn, done, child, receive

    def result(self) -> Any:
        """What the work returned, or raise what it raised. Call it once."""
        if self._child is not None:
            try:
                self._done = self._receive.recv()  # before join: a large result fills the pipe
            except EOFError:
                self._done = ("error", RuntimeError(f"{self._fn.__name__} failed in its worker process"))
            finally:
                self._close()
        return _unwrap(*self._done)

    def cancel(self) -> None:
        """Kill the child, if any, and wait for it to go."""
        if self._child is not None:
            self._child.kill()
            self._close()

    def _close(self) -> None:
        self._receive.close()
        self._child.join()
        self._child = None

    def __enter__(self) -> Pending:
        return self

    def __exit__(self, kind, exc, tb) -> None:
        if kind is not None:
            self.cancel()


def start(fn: Callable[..., Any], *args: Any) -> Pending:
    """Start ``fn(*args)`` in a forked child.

    Use as ``with start(f, x) as p: mine = g()`` then ``theirs = p.result()``:
    if ``g`` raises, the child is killed rather than waited for.
    """
    if ("fork" not in multiprocessing.get_all_start_methods() or multiprocessing.current_process().daemon
            or threading.current_thread() is not threading.main_thread()):
        # no fork here; inside a pool's process, which may not have children; or in a thread of a
        # process with others running (a Dask worker's task), whose locks a forked child would inherit held
        return Pending(fn, done=_call(fn, args))
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(fn, args, send, receive, os.getpid()), daemon=True)
    child.start()
    send.close()  # the child holds the only write end: recv() ends with EOFError if it dies
    pending = Pending(fn, child=child, receive=receive)
    with pending:
        interrupt.check()  # a signal during fork runs its handler in an at-fork hook, which cannot raise
    return pending
