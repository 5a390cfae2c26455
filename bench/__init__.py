"""`make bench`: HTTP benchmarks of Wuye on PostgreSQL behind gunicorn (see docs/benchmarks.md).

* `bench.run` prepares the bench database, starts gunicorn, drives the load and writes var/bench/latest.json.
* `bench.tickets` (a separate Django process) generates the million tickets, times the SLA sweep and removes the
  tickets the create benchmark made.
* `bench.loadgen` is the load generator (threads with keep-alive `http.client` connections, 127.0.0.1 only).
* `bench.settings` / `bench.urls` are the product's settings and URLs plus one bare JSON view to compare against.
"""
