"""Run one piece of work in a forked child while the parent does another.

The machines planners run this on have two or more cores; reading an extract
and writing the outputs each split into two independent halves. Where ``fork``
is unavailable (Windows, say), or the caller is itself a pool worker (which
may not have children), the work runs in the calling process instead.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from typing import Any


def _call(fn: Callable, args: tuple) -> tuple[str, Any]:
    try:
        return "ok", fn(*args)
    except BaseException as exc:  # handed to the parent, which raises it
        return "error", exc


def _unwrap(status: str, payload: Any) -> Any:
    if status == "error":
        raise payload
    return payload


def _child(fn: Callable, args: tuple, conn) -> None:
    status, payload = _call(fn, args)
    try:
        conn.send((status, payload))
    except Exception as exc:  # a result or exception that does not pickle
        conn.send(("error", RuntimeError(f"{fn.__name__}: {payload!r} ({exc})")))


def start(fn: Callable[..., Any], *args: Any) -> Callable[[], Any]:
    """Start ``fn(*args)`` in a forked child.

    Returns
    -------
    callable
        Waits for the child and returns what ``fn`` returned, or raises what it
        raised. Call it exactly once.
    """
    if "fork" not in multiprocessing.get_all_start_methods() or multiprocessing.current_process().daemon:
        done = _call(fn, args)  # no fork here, or inside a worker pool's process, which may not have children
        return lambda: _unwrap(*done)
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(fn, args, send), daemon=True)
    child.start()
    send.close()  # the child holds the only write end: recv() ends with EOFError if it dies

    def wait() -> Any:
        try:
            done = receive.recv()  # before join: a large result fills the pipe
        except EOFError:
            done = ("error", RuntimeError(f"{fn.__name__} failed in its worker process"))
        finally:
            receive.close()
            child.join()
        return _unwrap(*done)

    return wait
