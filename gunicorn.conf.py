# gunicorn reads this file when started from the repository root (`gunicorn wuye.wsgi`, `make bench`):
# its access and error logs mask phone and ID numbers like every other log line (wuye.core.pii).
logger_class = "wuye.core.gunicorn_logging.MaskedLogger"
