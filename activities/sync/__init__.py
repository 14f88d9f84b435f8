"""Activities of the sync engine: one page fetched, mapped and written per call."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Engine

from atrium.credentials import Credentials


def sync_activities(engine: Engine, credentials: Credentials) -> list[Any]:
    """Every sync-engine activity, sharing one context (store, mapping cache, integrations)."""
    from activities.sync.context import SyncContext
    from activities.sync.grades import GradeActivities
    from activities.sync.profiles import ProfileActivities
    from activities.sync.quarantine_retry import QuarantineActivities
    from activities.sync.reconcile import ReconcileActivities
    from activities.sync.roster import RosterActivities

    ctx = SyncContext(engine, credentials)
    roster = RosterActivities(ctx)
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
    ]
