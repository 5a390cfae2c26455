"""The serving comparison of `make bench`: the same targets behind gunicorn's `sync` and `gthread` worker classes.

The main HTTP measurement runs with one class (BENCH_WORKER_CLASS, `sync` by default). This part starts gunicorn once
more per class — the same number of workers, `gthread` with BENCH_THREADS (4) threads each — and measures each
target for BENCH_SERVING_SECONDS (one round after a one-second warm-up), so `latest.meta.json` → `serving` holds the
two classes side by side, measured minutes apart on the same data. The figures decide the default of
`gunicorn.conf.py` (docs/deploy.md); they are not goals. BENCH_SERVING_SECONDS=0 skips the comparison.
"""

from __future__ import annotations

import dataclasses
import os

from bench import loadgen

CLASSES = ("sync", "gthread")
TARGETS = ("bare.json", "units.list", "tickets.create", "tickets.inbox")  # the floor and what users wait on most


def serving_seconds(small: bool) -> float:
    raw = os.environ.get("BENCH_SERVING_SECONDS")
    return float(raw) if raw else (1.0 if small else 5.0)


def compare(config, targets: list[loadgen.Target], *, make_server, log, host: str) -> dict:
    """{class: {target: {rps, p50_ms, p95_ms, errors}}} plus each target's gthread/sync throughput ratio."""
    seconds = serving_seconds(config.small)
    if seconds <= 0:
        return {}
    measured: dict[str, dict] = {}
    for worker_class in CLASSES:
        threads = config.threads if worker_class == "gthread" and config.threads > 1 else 4
        variant = dataclasses.replace(config, worker_class=worker_class,
                                      threads=threads if worker_class == "gthread" else 1)
        server = make_server(variant, f"serving-{worker_class}")
        figures = {}
        try:
            server.start()
            server.wait_ready()
            for target in targets:
                loadgen.run(host, server.port, target, concurrency=config.concurrency, seconds=1)
                result = loadgen.run(host, server.port, target, concurrency=config.concurrency, seconds=seconds)
                figures[target.name] = {"rps": round(result.rps, 1), "p50_ms": round(result.percentile_ms(50), 2),
                                        "p95_ms": round(result.percentile_ms(95), 2),
                                        "errors": dict(result.errors)}
                log(f"  serving {worker_class}: {target.name} {result.rps:.1f} req/s, "
                    f"p95 {result.percentile_ms(95):.2f} ms, {result.error_count} errors")
        finally:
            server.stop()
        measured[worker_class] = {"workers": variant.workers, "threads": variant.threads, "targets": figures}
    ratios = {}
    for name in measured["sync"]["targets"]:
        sync_rps = measured["sync"]["targets"][name]["rps"]
        if sync_rps:
            ratios[name] = round(measured["gthread"]["targets"][name]["rps"] / sync_rps, 3)
    return {"seconds_per_target": seconds, "concurrency": config.concurrency, "classes": measured,
            "gthread_vs_sync_rps": ratios}
