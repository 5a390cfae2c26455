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


def run_at_once(calls) -> list:
    """Call each of `calls` in its own thread, all released together, each with its own database connection;
    return their results in the order of `calls`, an exception raised by one standing in its place."""
    barrier, results = threading.Barrier(len(calls)), [None] * len(calls)

    def one(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as error:  # returned to the test, which asserts on it
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=one, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results
