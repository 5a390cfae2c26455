"""gunicorn's logger with phone and ID numbers masked, as in every other log line: its access log prints request
lines, and a console search sends `?q=13812345678`. gunicorn.conf.py (repository root, read by gunicorn started
there) names it as `logger_class`; elsewhere pass `--logger-class wuye.core.gunicorn_logging.MaskedLogger`."""

from gunicorn.glogging import Logger

from .pii import MaskPIIFilter


class MaskedLogger(Logger):
    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.access_log, self.error_log):
            if not any(isinstance(existing, MaskPIIFilter) for existing in log.filters):
                log.addFilter(MaskPIIFilter())
