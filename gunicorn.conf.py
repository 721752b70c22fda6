"""gunicorn settings for Mallard (docs/operations.md, "gunicorn"): ``gunicorn config.wsgi:application``
reads this file from the working directory. Every value can be overridden by an environment variable
(``GUNICORN_*`` below) or on the command line."""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


_cpus = multiprocessing.cpu_count()

wsgi_app = "config.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers with a few threads: a request spends much of its time waiting on PostgreSQL and Redis,
# so two threads per worker keep the CPU busy; one worker per core plus one.
worker_class = "gthread"
workers = _int("GUNICORN_WORKERS", _cpus + 1)
threads = _int("GUNICORN_THREADS", 2)
# A request that takes longer than this is killed and its worker restarted (the slowest page is a
# few hundred milliseconds; admin imports of a large course file take seconds).
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Keep-alive with the load balancer in front (it usually holds connections open for 60 s or more).
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Recycle workers now and then (with jitter, so not all at once) to bound memory growth.
max_requests = _int("GUNICORN_MAX_REQUESTS", 5000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 500)
# Load the app once in the master so workers share its memory (copy-on-write); connections are
# opened per worker after the fork (Django opens them lazily), so none is shared between processes.
preload_app = os.environ.get("GUNICORN_PRELOAD", "true").lower() in ("1", "true", "yes", "on")
# Logs to stderr, like Django's. The access log: client, time, request line, status, bytes, referrer,
# user agent and the request's duration in microseconds (%(D)s) — for the load balancer's and the
# benchmark's figures.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s %(t)s "%(r)s" %(s)s %(B)s "%(f)s" "%(a)s" %(D)sus'
# Behind a proxy on the same host or network, trust its X-Forwarded-* headers.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_fork(server, worker):
    """Nothing opened in the master before the fork is shared by the workers: close Django's database
    connections (none is expected; this makes it certain)."""
    from django.db import connections

    connections.close_all()
