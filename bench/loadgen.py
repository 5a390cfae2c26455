"""A small closed-loop HTTP load generator: N threads, each with its own keep-alive connection to 127.0.0.1.

Each thread sends a request, reads the whole response, records the latency and sends the next one (no think time,
no pipelining), so the figures are "throughput and latency with N requests in flight". Bounded in time
(`seconds`) and in count (`max_requests`); every response with another status than the target expects (200, or
201 for a create), and every socket error or timeout, counts as an error and is not in the latency figures.
A POST target cycles through its JSON bodies (e.g. a different unit each time).

When the server answers `Connection: close` (gunicorn's sync workers do), http.client reconnects on the next
request; the reconnect is inside the measured latency, as it would be for a real client.
"""

from __future__ import annotations

import http.client
import itertools
import math
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

ALLOWED_HOSTS = frozenset({"127.0.0.1"})


@dataclass(frozen=True)
class Target:
    name: str  # metric prefix, e.g. "units.list"
    path: str  # e.g. "/api/v1/units?page_size=50&project=3"
    headers: dict[str, str] = field(default_factory=dict)
    method: str = "GET"
    bodies: tuple[bytes, ...] = ()  # JSON bodies, sent in turn (all threads share the turn), for POST
    expect: int = 200  # the status that counts as success (201 for a create)
    paths: tuple[str, ...] = ()  # sent in turn instead of `path` (all threads share the turn), e.g. one per record

    def __post_init__(self):
        if self.method not in ("GET", "POST"):
            raise ValueError("the load generator sends GET or POST")
        if self.method == "POST" and not self.bodies:
            raise ValueError("a POST target needs at least one body")


@dataclass
class Result:
    target: Target
    concurrency: int
    seconds: float  # wall time from the start signal until the last thread stopped
    latencies: list[float]  # seconds, successful requests only, sorted
    errors: Counter  # "status 500", "ConnectionRefusedError", ... → count
    bytes_received: int
    client_cpu_seconds: float  # CPU time of this process (all threads) while the target ran

    @property
    def ok(self) -> int:
        return len(self.latencies)

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    @property
    def rps(self) -> float:
        return self.ok / self.seconds if self.seconds > 0 else 0.0

    def percentile_ms(self, p: float) -> float:
        """Nearest-rank percentile (p in 0..100) of the successful requests, in milliseconds."""
        if not self.latencies:
            return math.nan
        rank = max(1, math.ceil(p / 100 * len(self.latencies)))
        return self.latencies[rank - 1] * 1000


class _Worker(threading.Thread):
    def __init__(self, host: str, port: int, target: Target, timeout: float, start: threading.Barrier,
                 stop: threading.Event, tickets: itertools.count, max_requests: int):
        super().__init__(daemon=True)  # `tickets` numbers the requests of all threads: the bound, the next body
        self.host, self.port, self.target, self.timeout = host, port, target, timeout
        self.start_barrier, self.stop, self.tickets, self.max_requests = start, stop, tickets, max_requests
        self.latencies: list[float] = []
        self.errors: Counter = Counter()
        self.bytes_received = 0

    def run(self) -> None:
        headers = {"Accept": "application/json", **self.target.headers}
        method, bodies, expect, paths = self.target.method, self.target.bodies, self.target.expect, self.target.paths
        if bodies:
            headers["Content-Type"] = "application/json"
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        clock = time.perf_counter
        try:
            self.start_barrier.wait()
            while not self.stop.is_set() and (number := next(self.tickets)) < self.max_requests:
                payload = bodies[number % len(bodies)] if bodies else None
                path = paths[number % len(paths)] if paths else self.target.path
                began = clock()
                try:
                    connection.request(method, path, body=payload, headers=headers)
                    response = connection.getresponse()
                    body = response.read()
                except (OSError, http.client.HTTPException) as error:
                    self.errors[type(error).__name__] += 1
                    connection.close()
                    self.stop.wait(0.01)  # do not spin on a refused connection
                    continue
                elapsed = clock() - began
                if response.status == expect:
                    self.latencies.append(elapsed)
                    self.bytes_received += len(body)
                else:
                    self.errors[f"status {response.status}"] += 1
        except threading.BrokenBarrierError:
            pass
        finally:
            connection.close()


def run(host: str, port: int, target: Target, *, concurrency: int, seconds: float, max_requests: int = 1_000_000,
        timeout: float = 10.0) -> Result:
    """Drive `target` with `concurrency` threads for `seconds` (or until `max_requests` were sent)."""
    if host not in ALLOWED_HOSTS:
        raise ValueError(f"the load generator only talks to {sorted(ALLOWED_HOSTS)}, not {host!r}")
    if not 1 <= concurrency <= 64:
        raise ValueError("concurrency must be between 1 and 64")
    if not 0 < seconds <= 600:
        raise ValueError("seconds must be in (0, 600]")
    start = threading.Barrier(concurrency + 1)
    stop = threading.Event()
    tickets = itertools.count()
    workers = [_Worker(host, port, target, timeout, start, stop, tickets, max_requests) for _ in range(concurrency)]
    for worker in workers:
        worker.start()
    try:
        start.wait(timeout=30)
        cpu_began, began = time.process_time(), time.perf_counter()
        deadline = began + seconds
        while time.perf_counter() < deadline and any(w.is_alive() for w in workers):
            time.sleep(min(0.05, max(0.0, deadline - time.perf_counter())))
    finally:
        stop.set()
        start.abort()  # releases threads still at the barrier if the start failed
        for worker in workers:
            worker.join(timeout + 5)
    wall, cpu = time.perf_counter() - began, time.process_time() - cpu_began
    latencies = sorted(itertools.chain.from_iterable(w.latencies for w in workers))
    errors = sum((w.errors for w in workers), Counter())
    return Result(target=target, concurrency=concurrency, seconds=wall, latencies=latencies, errors=errors,
                  bytes_received=sum(w.bytes_received for w in workers), client_cpu_seconds=cpu)
