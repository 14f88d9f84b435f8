"""What Atrium itself holds about one person, and its erasure: the sync records that map them into
each target, quarantined records, notifications sent to them and their channel preference,
audit entries they made (as a user with their person id) or that name them in a path, and the
privacy requests about them. Erasure deletes all of these except the audit log (the proof of
what was done, and append-only by design: it names the request, never the person)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import or_
from sqlalchemy.engine import Engine
from sqlmodel import col, delete, select

from atrium.db import session_scope
from atrium.models import (
    AuditEvent,
    NotificationPreference,
    QuarantinedRecord,
    SentNotification,
    SyncRecord,
    User,
)
from atrium.models.privacy import PrivacyErasure, PrivacyExport
from atrium.privacy.subjects import Person

Section = dict[str, list[dict[str, Any]]]


def _rows(rows: Any, exclude: set[str] | None = None) -> list[dict[str, Any]]:
    return [json.loads(r.model_dump_json(exclude=exclude)) for r in rows]


def _sync_clause(person: Person) -> Any:
    return or_(
        col(SyncRecord.source_id) == person.sourced_id,
        (col(SyncRecord.record_type) == "enrollments")
        & col(SyncRecord.snapshot).startswith(f"{person.sourced_id}|", autoescape=True),
    )


def _quarantine_clause(person: Person) -> Any:
    ids = [person.sourced_id] + ([person.student_id] if person.student_id else [])
    return col(QuarantinedRecord.source_id).in_(ids)


def read(engine: Engine, person: Person) -> Section:
    with session_scope(engine) as session:
        usernames = [
            u.username
            for u in session.exec(select(User).where(User.person_id == person.sourced_id))
        ]
        audit_clauses = [col(AuditEvent.path).contains(person.sourced_id, autoescape=True)]
        if usernames:
            audit_clauses.append(col(AuditEvent.actor).in_(usernames))
        return {
            "sync_records": _rows(session.exec(select(SyncRecord).where(_sync_clause(person)))),
            "quarantine": _rows(
                session.exec(select(QuarantinedRecord).where(_quarantine_clause(person)))
            ),
            "notifications_sent": _rows(
                session.exec(
                    select(SentNotification).where(
                        col(SentNotification.recipient).in_(person.emails)
                    )
                )
            ),
            "notification_preferences": _rows(
                session.exec(
                    select(NotificationPreference).where(
                        col(NotificationPreference.recipient).in_(person.emails)
                    )
                )
            ),
            "accounts": _rows(
                session.exec(select(User).where(User.person_id == person.sourced_id)),
                exclude={"password_hash", "totp_secret"},
            ),
            "audit_entries": _rows(session.exec(select(AuditEvent).where(or_(*audit_clauses)))),
            "privacy_requests": [
                {"kind": "export", **r}
                for r in _rows(
                    session.exec(
                        select(PrivacyExport).where(PrivacyExport.subject == person.subject)
                    ),
                    exclude={"blob", "wrapped_key"},
                )
            ]
            + [
                {"kind": "erasure", **r}
                for r in _rows(
                    session.exec(
                        select(PrivacyErasure).where(PrivacyErasure.subject == person.subject)
                    )
                )
            ],
        }


def erase(engine: Engine, person: Person) -> dict[str, int]:
    """Delete what Atrium holds of the person (not the audit log); counts per kind."""
    counts: dict[str, int] = {}
    with session_scope(engine) as session:
        for kind, statement in (
            ("sync_records", delete(SyncRecord).where(_sync_clause(person))),
            ("quarantine", delete(QuarantinedRecord).where(_quarantine_clause(person))),
            (
                "notifications_sent",
                delete(SentNotification).where(col(SentNotification.recipient).in_(person.emails)),
            ),
            (
                "notification_preferences",
                delete(NotificationPreference).where(
                    col(NotificationPreference.recipient).in_(person.emails)
                ),
            ),
            (
                "exports",
                delete(PrivacyExport).where(col(PrivacyExport.subject) == person.subject),
            ),
        ):
            counts[kind] = int(session.exec(statement).rowcount or 0)  # type: ignore[call-overload]
        session.commit()
    return counts
