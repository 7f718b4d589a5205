"""The crawl queue on Redis (Dramatiq's Redis broker): enqueue a source's crawl, at most once at a time.

Dramatiq's Redis broker keeps a message a worker fetched in that worker's *unacked* set until the
actor returned; a worker that stops sending heartbeats for ``worker_heartbeat_seconds`` is dead and
the next broker maintenance moves its unacked messages back to the queue, where another worker
takes them. So a crawl whose worker died is run again from the start by another worker; the crawl
state and the store's upsert by URL make the second run store each article once.

A source has at most one crawl queued or running: :func:`enqueue_crawl` sets a Redis key
``newswatch:crawl:pending:<source>`` (expiring after the crawl timeout) and skips the source while
it exists; the worker deletes it when the run ended.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dramatiq
import redis
from dramatiq.brokers.redis import MAINTENANCE_SCALE, RedisBroker
from dramatiq.middleware import AgeLimit, Callbacks, Pipelines, Retries, ShutdownNotifications, TimeLimit

from newswatch.settings import Settings

log = logging.getLogger(__name__)

QUEUE = "crawl"
ACTOR = "crawl_source"
NAMESPACE = "newswatch"
PENDING_KEY = "newswatch:crawl:pending:{source}"
# Maintenance (moving a dead worker's messages back) runs on this share of broker commands; idle
# workers poll about once a second, so a dead worker's crawl is back in the queue within seconds.
MAINTENANCE_CHANCE = MAINTENANCE_SCALE // 20


def make_broker(settings: Settings) -> RedisBroker:
    """The Redis broker of the crawl queue (``NEWSWATCH_REDIS_URL``), with the crawl actor declared."""
    if not settings.redis_url:
        from newswatch.errors import ConfigError

        raise ConfigError.single("environment", "NEWSWATCH_REDIS_URL", "the distributed crawl queue needs Redis.",
                                 "set NEWSWATCH_REDIS_URL=redis://host:6379/0 on every service and worker.")
    timeout_ms = settings.service.crawl_timeout_seconds * 1000
    middleware = [AgeLimit(), TimeLimit(time_limit=timeout_ms + 60_000), ShutdownNotifications(), Callbacks(),
                  Pipelines(), Retries(max_retries=3, min_backoff=5_000, max_backoff=60_000)]
    broker = RedisBroker(url=settings.redis_url, namespace=NAMESPACE, middleware=middleware,
                         heartbeat_timeout=settings.service.worker_heartbeat_seconds * 1000,
                         maintenance_chance=MAINTENANCE_CHANCE)
    return broker


def declare_actor(broker: RedisBroker, fn: Callable[..., Any]) -> dramatiq.Actor:
    """The crawl actor on ``broker``, declared once (the enqueuing side passes a function that is never called)."""
    if ACTOR in broker.actors:
        return broker.actors[ACTOR]
    return dramatiq.Actor(fn, broker=broker, actor_name=ACTOR, queue_name=QUEUE, priority=0,
                          options={"max_retries": 3})


def _never_called(source: str, sources_file: str, trigger: str) -> None:  # pragma: no cover
    raise RuntimeError("crawl messages are run by `newswatch queue worker`")


def redis_client(settings: Settings) -> redis.Redis:
    return redis.Redis.from_url(settings.redis_url or "")


def enqueue_crawl(settings: Settings, source: str, sources_file: Path, trigger: str = "queue",
                  broker: RedisBroker | None = None) -> bool:
    """Queue one crawl of ``source``; False if a crawl of it is already queued or running."""
    broker = broker or make_broker(settings)
    client = broker.client
    if not client.set(PENDING_KEY.format(source=source), trigger, nx=True,
                      ex=settings.service.crawl_timeout_seconds + 120):
        log.info("crawl of %s already queued or running: not queued again", source)
        return False
    declare_actor(broker, _never_called).send(source, str(Path(sources_file).resolve()), trigger)
    return True


def clear_pending(client: redis.Redis, source: str) -> None:
    client.delete(PENDING_KEY.format(source=source))


def queue_status(settings: Settings) -> dict[str, Any]:
    """Messages waiting, in progress per worker, and the sources marked pending."""
    client = redis_client(settings)
    waiting = client.llen(f"{NAMESPACE}:{QUEUE}")
    workers = {w.decode(): score for w, score in client.zrange(f"{NAMESPACE}:__heartbeats__", 0, -1, withscores=True)}
    in_progress = {}
    for worker in workers:
        count = client.scard(f"{NAMESPACE}:__acks__.{worker}.{QUEUE}")
        if count:
            in_progress[worker] = count
    pending = sorted(k.decode().rsplit(":", 1)[1] for k in client.scan_iter(PENDING_KEY.format(source="*")))
    return {"waiting": waiting, "in_progress": in_progress, "workers": len(workers), "pending_sources": pending}
