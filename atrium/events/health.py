"""``integration.unhealthy`` / ``integration.recovered``: the event a recorded health check calls
for, compared with the check recorded before it. The health activity publishes it
(activities/health.py) and the API's live stream shows it (api/events/watchers.py), both from
the recorded checks, so both find the same change under the same event id."""

from __future__ import annotations

from sqlmodel import Session, col, select

from atrium.events.envelope import EventEnvelope, envelope
from atrium.models import HealthCheck


def health_change(session: Session, check_id: str, system: str) -> EventEnvelope | None:
    """The event check ``check_id`` calls for, if any."""
    this = session.exec(select(HealthCheck).where(HealthCheck.run_id == check_id)).one()
    before = session.exec(
        select(HealthCheck)
        .where(HealthCheck.integration == this.integration, col(HealthCheck.id) < this.id)
        .order_by(col(HealthCheck.id).desc())
        .limit(1)
    ).first()
    if this.healthy == (before.healthy if before is not None else True):
        return None  # no change (a first check that passes is no news either)
    kind = "integration.recovered" if this.healthy else "integration.unhealthy"
    return envelope(
        kind,
        {
            "integration": this.integration,
            "system": system,
            "healthy": this.healthy,
            "status_code": this.status_code,
            "detail": this.detail,
            "checked_at": this.checked_at.isoformat(),
            "since": before.checked_at.isoformat() if before is not None else None,
        },
        event_id=f"{kind}:{check_id}",
    )
