"""Child processes that die with their parent, even when the parent is killed with SIGKILL.

A crawl has helper processes: the extraction workers, the multiprocessing forkserver that forks them
and the resource tracker; under the service, the crawl itself is a child of ``newswatch serve``. A
parent killed with SIGKILL runs no clean-up, so each child arranges its own end:

- :func:`die_with_parent` asks Linux to send a signal when the parent ends
  (``prctl(PR_SET_PDEATHSIG)``). The kernel delivers it whatever killed the parent. It is tied to
  the parent *thread* that started the child, so it is used only where that thread outlives the child:
  the forkserver (single-threaded) for the workers, and the service's runner thread, which waits
  for its crawl child to end. (When a multi-threaded parent dies, the child is handed from thread
  to dying thread and gets the signal once per hand-over.)
- :func:`die_with_service` is the crawl child's use of it: the signal (SIGHUP) is handled once, by
  a clean stop (SIGTERM to itself: Scrapy closes the run, writes the crawl state, records the run as
  ``partial``), then a forced stop and SIGKILL if the clean stop takes too long.
- :func:`release_forkserver_alive_fd` fixes the link multiprocessing leaves open: every process the
  forkserver forks inherits the write end of the pipe on which the forkserver waits for its client
  (the crawl process) to go away, so with a worker alive the forkserver never sees it go, and the
  worker, blocked on a task queue whose write end it also holds, waits for ever. A worker that
  closes its copy lets the forkserver exit when the crawl process dies; the worker then gets its
  parent-death signal, and the resource tracker, whose pipe nobody holds any more, exits too.

On systems without ``prctl`` (not Linux) these are no-ops and return False.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import sys
import threading
import time
from typing import Any

log = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1
PARENT_PID_ENV = "NEWSWATCH_PARENT_PID"  # set by the service for its crawl children
ORPHAN_GRACE_SECONDS = 10.0  # a crawl whose service died: clean stop, then Scrapy's forced stop ...
ORPHAN_FORCE_SECONDS = 5.0  # ... then SIGKILL
_orphaned = threading.Lock()  # taken by the first SIGHUP (acquiring it is atomic, even for nested signal handlers)


def die_with_parent(sig: int = signal.SIGKILL, expected_parent: int | None = None) -> bool:
    """Have this process receive ``sig`` when its parent ends; if the parent is already gone, receive it now.

    ``expected_parent`` is the parent's pid as the caller knows it (default: the parent now); a
    different parent means the real one died before the request was made.
    """
    if not sys.platform.startswith("linux"):
        return False
    parent = os.getppid() if expected_parent is None else expected_parent
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) != 0:
            log.warning("prctl(PR_SET_PDEATHSIG) failed: errno %s", ctypes.get_errno())
            return False
    except (OSError, AttributeError) as exc:
        log.warning("prctl is not available (%s): this process may outlive its parent", exc)
        return False
    if os.getppid() != parent or parent <= 1:
        os.kill(os.getpid(), sig)  # the parent died before we asked
    return True


def die_with_service() -> bool:
    """In a crawl child of the service (main thread), stop the crawl cleanly if the service dies."""
    value = os.environ.get(PARENT_PID_ENV, "")
    if not value.isdigit():
        return False
    signal.signal(signal.SIGHUP, _service_gone)
    return die_with_parent(signal.SIGHUP, expected_parent=int(value))


def _service_gone(signum: int, frame: Any) -> None:
    if not _orphaned.acquire(blocking=False):  # the same news again, from another of the dying service's threads
        return
    log.warning("the service that started this crawl is gone: stopping the crawl")
    os.kill(os.getpid(), signal.SIGTERM)
    threading.Thread(target=_escalate, name="orphan-stop", daemon=True).start()


def _escalate() -> None:
    for wait, sig in ((ORPHAN_GRACE_SECONDS, signal.SIGTERM), (ORPHAN_FORCE_SECONDS, signal.SIGKILL)):
        time.sleep(wait)
        os.kill(os.getpid(), sig)


def release_forkserver_alive_fd() -> bool:
    """In a process forked by the multiprocessing forkserver, close the inherited "client alive" pipe end."""
    try:
        from multiprocessing import forkserver
    except ImportError:
        return False
    server = getattr(forkserver, "_forkserver", None)
    fd = getattr(server, "_forkserver_alive_fd", None)
    if server is None or fd is None:
        return False
    try:
        os.close(fd)
    except OSError:
        return False
    server._forkserver_alive_fd = None
    return True
