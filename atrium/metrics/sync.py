"""What the sync engine and event delivery did: records by outcome, conflicts, dead letters.

Counted where it happens (activities/sync/*.py, activities/events.py). An activity retried after
it counted counts again: these are rates of work done, not a ledger (the store is the ledger,
and state.py reads its open quarantine, conflicts and dead letters).
"""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import Counter

from atrium.sync.changes import Rejected

RECORDS = Counter(
    "atrium_sync_records",
    "Records a sync handled, by integration (the target), record type and outcome: written, "
    "unchanged, quarantined (unusable: mapping or validation), failed (the target refused it)",
    ("integration", "entity", "outcome"),
)
CONFLICTS = Counter(
    "atrium_sync_conflicts",
    "Conflicts found and parked for a person to decide, by integration and record type",
    ("integration", "entity"),
)
DEAD_LETTERS = Counter(
    "atrium_event_dead_letters",
    "Outbound events given up on after their last delivery attempt, by event type",
    ("event_type",),
)


def records(
    integration: str,
    entity: str,
    *,
    written: int = 0,
    unchanged: int = 0,
    rejected: Iterable[Rejected] = (),
) -> None:
    """Count one page's outcome; ``rejected`` as handed to quarantine (stage ``target``: the
    target refused it, so ``failed``; any other stage: ``quarantined``)."""
    failed = quarantined = 0
    for r in rejected:
        if r.stage == "target":
            failed += 1
        else:
            quarantined += 1
    for outcome, n in (
        ("written", written),
        ("unchanged", unchanged),
        ("quarantined", quarantined),
        ("failed", failed),
    ):
        if n:
            RECORDS.labels(integration, entity, outcome).inc(n)


def conflict(integration: str, entity: str) -> None:
    CONFLICTS.labels(integration, entity).inc()


def dead_letter(event_type: str) -> None:
    DEAD_LETTERS.labels(event_type).inc()
