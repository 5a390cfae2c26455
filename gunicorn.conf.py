"""gunicorn's settings for production (`make serve`, `scripts/serve.sh`) and the benchmark; read from the repository
root. Each setting can be changed by an environment variable (named beside it) or on the command line, which wins
(the bench passes its own worker count and class). See docs/deploy.md for why these defaults."""

import multiprocessing
import os

# Access and error logs mask phone and ID numbers like every other log line (wuye.core.pii).
logger_class = "wuye.core.gunicorn_logging.MaskedLogger"

bind = os.environ.get("WUYE_BIND", "127.0.0.1:8000")  # behind the reverse proxy (deploy/nginx.conf)
# gthread: a worker keeps serving other requests while one waits on PostgreSQL, and keep-alive connections from the
# proxy don't tie a whole process up. `make bench` measures both classes (meta `serving`); see docs/deploy.md.
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
workers = int(os.environ.get("WEB_CONCURRENCY") or max(2, multiprocessing.cpu_count()))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))  # a PDF or an export of a large project may take a while
graceful_timeout = 20
keepalive = 5  # seconds; the proxy reuses its upstream connections (nginx `keepalive 16`)
# A worker is replaced after this many requests (± jitter), so a slow leak in a library never grows a worker forever.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = max_requests // 10
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # heartbeat file off the disk
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
