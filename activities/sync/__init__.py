"""Activities of the sync engine: one page fetched, mapped and written per call."""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Engine

from atrium.credentials import Credentials

if TYPE_CHECKING:
    from activities.events import EventActivities


def tune_gc_for_pages() -> None:
    """A page of 10,000 records allocates ~10^6 short-lived objects with no reference cycles;
    with the default thresholds the cyclic collector runs hundreds of times per page and each
    full pass walks every object the worker holds (measured: mapping a page took twice as long).
    Objects alive at start-up are frozen out of the collector and its first threshold raised."""
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)


def sync_activities(
    engine: Engine, credentials: Credentials, events: EventActivities | None = None
) -> list[Any]:
    """Every sync-engine activity, sharing one context (store, mapping cache, integrations);
    ``events`` publishes ``record.synced`` for what they write (none without it)."""
    tune_gc_for_pages()
    from activities.sync.context import SyncContext
    from activities.sync.csv_source import CsvSourceActivities
    from activities.sync.grades import GradeActivities
    from activities.sync.profiles import ProfileActivities
    from activities.sync.quarantine_retry import QuarantineActivities
    from activities.sync.reconcile import ReconcileActivities
    from activities.sync.roster import RosterActivities

    ctx = SyncContext(engine, credentials, events)
    roster = RosterActivities(ctx)
    packages = CsvSourceActivities(engine, credentials)
    return [
        roster.plan,
        roster.sync_page,
        roster.count_deletions,
        roster.deactivate_page,
        roster.advance_cursors,
        QuarantineActivities(ctx).retry,
        ProfileActivities(ctx).compare,
        ProfileActivities(ctx).apply,
        GradeActivities(ctx).passback_class,
        ReconcileActivities(ctx).reconcile,
        ReconcileActivities(ctx).forget,
        packages.list_drop,
        packages.receive_drop,
        packages.stage_upload,
        packages.finish,
        packages.file_drop,
    ]
