"""Connector call latency and errors, by system, catalog action and status.

Installed as the connectors' call observer (connectors/http.py ``set_call_observer``) by the
worker and the API; connectors know nothing of Prometheus.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

from connectors.http import Call, set_call_observer

LABELS = ("system", "action", "status")
NO_ACTION = "none"  # a read outside any catalog action

CALL_SECONDS = Histogram(
    "atrium_connector_call_seconds",
    "HTTP calls to a school's systems: latency by system, catalog action and status",
    LABELS,
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0),
)
CALL_ERRORS = Counter(
    "atrium_connector_call_errors",
    "HTTP calls that failed: a 4xx/5xx status, an error body, a timeout or no connection",
    LABELS,
)


_children: dict[tuple[str, str, str], tuple[Histogram, Counter | None]] = {}


def observe(call: Call) -> None:
    labels = (call.system, call.action or NO_ACTION, call.error or str(call.status))
    found = _children.get(labels)
    if found is None:  # the label sets are few (systems x actions x statuses): kept, not looked up
        errors = CALL_ERRORS.labels(*labels) if call.error is not None else None
        found = _children[labels] = (CALL_SECONDS.labels(*labels), errors)
    seconds, errors = found
    seconds.observe(call.seconds)
    if errors is not None:
        errors.inc()


def install() -> None:
    """Record every connector call made in this process from now on."""
    set_call_observer(observe)
