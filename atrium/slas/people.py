"""Per-person SLAs from the sync state: each person (a source id) found in any of the SLA's
targets (``connection:record_type`` rows of ``sync_record``) must be in all of them within
``within_hours`` of appearing.

When a person appeared is fixed the first time they are seen: the earliest of their rows' SIS
modification date (``date_last_modified``, the SIS's own stamp) and sync time. When they were
complete is the latest sync time of their target rows at the first evaluation that finds them all
(a record rewritten between two evaluations makes that moment a little later than it was).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from atrium.alerting.conditions import _aware
from atrium.models import SlaPerson, SyncRecord
from atrium.models.integration import utcnow
from atrium.models.slas import Sla

PRESENT = ("active", "tobedeleted")  # in the target system now (failed / deactivated: not)


@dataclass(frozen=True)
class PersonBreach:
    source_id: str
    appeared_at: datetime
    deadline: datetime
    missing: list[str]  # the targets that did not have them by the deadline
    met_at: datetime | None  # None: still missing
    state: str  # open (still missing) | late (complete, after the deadline)


def _split(target: str) -> tuple[str, str]:
    integration, record_type = target.split(":", 1)
    return integration, record_type


def _rows(session: Session, sla: Sla) -> dict[str, dict[str, SyncRecord]]:
    """source id -> target -> its row, for every person present in any target."""
    found: dict[str, dict[str, SyncRecord]] = {}
    for target in sla.targets:
        integration, record_type = _split(target)
        for row in session.exec(
            select(SyncRecord).where(
                SyncRecord.integration == integration,
                SyncRecord.record_type == record_type,
                col(SyncRecord.status).in_(PRESENT),
            )
        ):
            found.setdefault(row.source_id, {})[target] = row
    return found


def _appeared(rows: dict[str, SyncRecord]) -> datetime:
    moments = [_aware(r.synced_at) for r in rows.values()]
    moments += [_aware(r.date_last_modified) for r in rows.values() if r.date_last_modified]
    return min(moments)


def track(session: Session, sla: Sla) -> None:
    """Record newly seen people and who has become complete (commits)."""
    sla_id, now = int(sla.id or 0), utcnow()
    known = {
        p.source_id: p for p in session.exec(select(SlaPerson).where(SlaPerson.sla_id == sla_id))
    }
    new_since = _aware(sla.new_since) if sla.new_since else None
    for source_id, rows in _rows(session, sla).items():
        person = known.get(source_id)
        if person is None:
            appeared = _appeared(rows)
            if new_since is not None and appeared < new_since:
                continue  # there before the SLA's start: not a new enrollee
            person = SlaPerson(sla_id=sla_id, source_id=source_id, appeared_at=appeared)
        if person.met_at is not None:
            continue
        missing = [t for t in sla.targets if t not in rows]
        # Once complete, ``missing`` keeps what was last missing: what a late person lacked.
        person.missing = missing or list(person.missing)
        person.checked_at = now
        if not missing:
            person.met_at = max(_aware(r.synced_at) for r in rows.values())
        session.add(person)
    session.commit()


def breaches(session: Session, sla: Sla, *, now: datetime | None = None) -> list[PersonBreach]:
    """People whose deadline passed before every target had them (oldest first)."""
    now = now or utcnow()
    window = timedelta(hours=sla.within_hours)
    found = []
    for person in session.exec(
        select(SlaPerson)
        .where(SlaPerson.sla_id == int(sla.id or 0))
        .order_by(col(SlaPerson.appeared_at), col(SlaPerson.source_id))
    ):
        deadline = _aware(person.appeared_at) + window
        met = _aware(person.met_at) if person.met_at else None
        if met is None and now > deadline:
            state = "open"
        elif met is not None and met > deadline:
            state = "late"
        else:
            continue
        found.append(
            PersonBreach(
                source_id=person.source_id,
                appeared_at=_aware(person.appeared_at),
                deadline=deadline,
                missing=list(person.missing),
                met_at=met,
                state=state,
            )
        )
    return found
