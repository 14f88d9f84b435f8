"""Atrium's own Prometheus metrics, beside the Temporal SDK's.

They are prometheus-client metrics in the process's default registry, not Temporal runtime
meter metrics, because the same code records them in two kinds of process: connector calls and
syncs happen in ``atrium worker`` and in the API's eager worker, webhook intake in the API. The
API serves the registry on its authenticated ``/metrics`` (metrics:read); a worker serves it on
``worker.atrium_metrics_port`` (serve.py), beside the SDK exporter on ``worker.metrics_port``.
A call costs about a microsecond to record (bench/connector_call_overhead.py).

- calls.py: every connector HTTP call (the observer connectors/http.py calls)
- sync.py: records synced, conflicts, dead letters, webhook intake, intake dispatch
- state.py: what the store and Temporal hold (quarantine, backlogs), read when scraped
- serve.py: the worker's endpoint
"""
