"""Child processes that die with their parent, even when the parent is killed with SIGKILL.

A crawl has helper processes: the extraction workers, the multiprocessing forkserver that forks them
and the resource tracker; under the service, the crawl itself is a child of ``newswatch serve``. A
parent killed with SIGKILL runs no clean-up, so each child arranges its own end:

- :func:`die_with_parent` asks Linux to send a signal when the parent ends
  (``prctl(PR_SET_PDEATHSIG)``). The kernel delivers it whatever killed the parent. It is tied to
  the parent *thread* that started the child, so it is used only where that thread outlives the child:
  the forkserver (single-threaded) for the workers, and the service's runner thread, which waits
  for its crawl child to end.
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

log = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1
PARENT_PID_ENV = "NEWSWATCH_PARENT_PID"  # set by the service for its crawl children


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
    """In a crawl child of the service, stop the crawl (SIGTERM: Scrapy closes the run cleanly) if the service dies."""
    value = os.environ.get(PARENT_PID_ENV, "")
    if not value.isdigit():
        return False
    return die_with_parent(signal.SIGTERM, expected_parent=int(value))


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
