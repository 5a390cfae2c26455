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


def database_url() -> str:
    """The URL of the database the tests run on, for processes the test starts (e.g. Celery workers)."""
    s = connection.settings_dict
    return f"postgresql://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def start_celery_workers(count: int, env: dict) -> list:
    """`count` real Celery worker processes (`celery -A wuye worker -c 1`, each in its own process group) with
    `env`; stop them with `stop_celery_workers`."""
    import subprocess
    import sys
    from pathlib import Path

    celery = str(Path(sys.executable).with_name("celery"))
    root = Path(__file__).resolve().parents[2]
    return [
        subprocess.Popen([celery, "-A", "wuye", "worker", "-c", "1", "-n", f"test{i}@%h", "--without-heartbeat",
                          "--without-gossip", "--without-mingle", "--loglevel", "warning"],
                         cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
        for i in range(count)
    ]


def stop_celery_workers(workers: list) -> None:
    """TERM each worker's process group, KILL what is left after 30 s."""
    import os
    import signal
    import subprocess

    for worker in workers:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
