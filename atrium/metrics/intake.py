"""Webhook intake: every signed request by source and outcome, and how events were dispatched.

The depth of the intake and the age of its oldest event are read from the store when scraped
(state.py); the dispatch mode of each API process is its dispatcher's (api/webhooks/dispatcher.py).
"""

from __future__ import annotations

from prometheus_client import Counter

UNKNOWN = "unknown"  # a source nobody configured: its name is the caller's, not a label value

WEBHOOKS = Counter(
    "atrium_webhook_requests",
    "Signed webhook requests by source and outcome: accepted (2xx), refused (4xx but 429), "
    "throttled (429: the intake is full), error (5xx); status is the HTTP status answered",
    ("source", "outcome", "status"),
)
DISPATCHED = Counter(
    "atrium_intake_dispatched",
    "Intake events finished, by how they were applied (run: a run each; batch: an event-batch "
    "run) and status (done, failed)",
    ("mode", "status"),
)


def outcome(status: int) -> str:
    if status < 400:
        return "accepted"
    if status == 429:
        return "throttled"
    return "refused" if status < 500 else "error"


def webhook(source: str | None, status: int) -> None:
    """Count one answered request; ``source`` None when the caller named no configured one."""
    WEBHOOKS.labels(source or UNKNOWN, outcome(status), str(status)).inc()


def dispatched(mode: str, status: str, n: int) -> None:
    if n:
        DISPATCHED.labels(mode, status).inc(n)
