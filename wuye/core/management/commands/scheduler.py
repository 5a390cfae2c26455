import signal
import time

from django.core.management.base import BaseCommand

from wuye.core.checks import require_production_secrets
from wuye.core.scheduling import REGISTRY, EmbeddedScheduler, run_due_jobs


class Command(BaseCommand):
    help = "Run the embedded scheduler: every registered periodic job when it is due (Ctrl-C to stop)."

    def add_arguments(self, parser):
        parser.add_argument("--tick", type=float, default=5.0, help="seconds between checks")
        parser.add_argument("--once", action="store_true", help="run what is due now and exit")

    def handle(self, *args, tick, once, **options):
        require_production_secrets("The scheduler")  # the same rule as the web server: no default secrets
        if once:
            for name in run_due_jobs():
                self.stdout.write(f"ran {name}")
            return
        self.stdout.write(f"Scheduler: {len(REGISTRY)} jobs — {', '.join(sorted(REGISTRY))}")
        scheduler = EmbeddedScheduler(tick=tick)
        scheduler.start()
        stop = []
        signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
        try:
            while not stop and scheduler.is_alive():
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        scheduler.stop()
        scheduler.join(timeout=10)
