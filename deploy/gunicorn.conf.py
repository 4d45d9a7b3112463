"""gunicorn for Lianxin: `gunicorn -c deploy/gunicorn.conf.py lianxin.wsgi`.

Behind nginx on a unix socket (deploy/nginx.conf). Logs as JSON lines like Django's
(lianxin/ops/logs.py); gunicorn's access log stays off, since Django writes a line a
request with the request id (LOG_REQUESTS). Each setting here can be overridden with
GUNICORN_CMD_ARGS (e.g. "--workers 8").
"""

import multiprocessing
import os

bind = os.getenv("GUNICORN_BIND", "unix:/run/lianxin-web/gunicorn.sock")
# nginx (in the lianxin group) connects to the socket: group read-write, others nothing.
umask = 0o007
# Synchronous workers: 2 per core and one more; each holds a database connection.
workers = int(os.getenv("WEB_CONCURRENCY", str(multiprocessing.cpu_count() * 2 + 1)))
# A request may take this long (a large synchronous export); nginx's proxy_read_timeout
# is a little longer, so that gunicorn's own timeout answers first.
timeout = 120
graceful_timeout = 30
# Restart each worker after a while: a slow leak cannot grow for ever.
max_requests = 2000
max_requests_jitter = 200
# Each worker loads the app itself (no preload): the intel warm-up thread and the
# metrics' per-process files must belong to the worker, not to the master.
preload_app = False
forwarded_allow_ips = "127.0.0.1,::1"
accesslog = None
errorlog = "-"
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "lianxin.ops.logs.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "loggers": {"gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}


def child_exit(server, worker):
    """A dead worker's metrics files are merged into the totals, not kept as live ones."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
