"""Helpers for tests of concurrency-safe code (used by several apps' tests)."""

import threading

from django.db import connection


def run_concurrently(func, times: int) -> list:
    """Call `func` in `times` threads at once, each with its own database connection; return their results."""
    results, barrier = [], threading.Barrier(times)

    def worker():
        try:
            barrier.wait()
            results.append(func())
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
