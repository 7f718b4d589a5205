"""Distributed crawling: crawl runs of many sources spread over worker processes and machines through Redis.

The engine is Dramatiq with its Redis broker (:mod:`newswatch.distributed.queue`). One message is
one crawl run of one source; a worker (``newswatch queue worker``, :mod:`newswatch.distributed.worker`)
runs it as the service does, in a ``newswatch crawl`` child. Why Dramatiq and not scrapy-redis,
Celery or RQ is written down in docs/deployment.md.
"""

QUEUE_TRIGGER = "queue"  # the trigger of crawl runs made by queue workers (runs.trigger, kind child)
