"""The privacy tables' bookkeeping: requests and their states, legal holds, the school's rules,
tombstones, and each erasure step with its proof chained into the audit log."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from atrium import audit
from atrium.db import session_scope
from atrium.models.audit import AuditEventBase
from atrium.models.integration import utcnow
from atrium.models.privacy import (
    PrivacyErasure,
    PrivacyErasureStep,
    PrivacyExport,
    PrivacyLegalHold,
    PrivacyRule,
    PrivacyTombstone,
)
from atrium.privacy.erasure_plan import Treatment
from atrium.privacy.subjects import number_subject, subject_of

ACTOR = "privacy"
FINAL = ("cancelled", "blocked", "completed", "incomplete", "failed")


def active_holds(engine: Engine, subject: str) -> list[PrivacyLegalHold]:
    with session_scope(engine) as session:
        return list(
            session.exec(
                select(PrivacyLegalHold).where(
                    PrivacyLegalHold.subject == subject,
                    col(PrivacyLegalHold.released_at).is_(None),
                )
            )
        )


def rules(engine: Engine) -> dict[tuple[str, str], Treatment]:
    with session_scope(engine) as session:
        return {
            (r.system, r.record_type): r.treatment  # type: ignore[misc]
            for r in session.exec(select(PrivacyRule))
        }


LOOKUP_CHUNK = 1000  # keys per query: a SIS import names up to hundreds of thousands of people


def tombstoned(engine: Engine, subjects: Iterable[str]) -> set[str]:
    wanted = list(set(subjects))
    found: set[str] = set()
    with session_scope(engine) as session:
        for start in range(0, len(wanted), LOOKUP_CHUNK):
            chunk = wanted[start : start + LOOKUP_CHUNK]
            found.update(
                session.exec(
                    select(PrivacyTombstone.subject).where(col(PrivacyTombstone.subject).in_(chunk))
                )
            )
    return found


def bury(engine: Engine, subjects: Iterable[str], erasure_id: int) -> None:
    """One tombstone per key the person is known by (atrium/privacy/subjects.py)."""
    with session_scope(engine) as session:
        for subject in dict.fromkeys(subjects):
            if session.get(PrivacyTombstone, subject) is None:
                session.add(PrivacyTombstone(subject=subject, erasure_id=erasure_id))
        session.commit()


def is_erased(engine: Engine, people: Iterable[tuple[str | None, str | None]]) -> bool:
    """Whether any of the people a process is about to create, each known by their SIS
    sourcedId or their school person number (either may be None), was erased on request."""
    keys = [
        k
        for sid, number in people
        for k in (
            subject_of(sid) if sid else None,
            number_subject(number) if number else None,
        )
        if k
    ]
    return bool(tombstoned(engine, keys))


def set_erasure(
    engine: Engine, erasure_id: int, status: str, reason: str | None = None
) -> PrivacyErasure:
    with session_scope(engine) as session:
        row = session.get(PrivacyErasure, erasure_id)
        if row is None:
            raise LookupError(f"erasure {erasure_id} not found")
        row.status = status
        if reason is not None:
            row.reason = reason[:1000]
        if status in FINAL:
            row.finished_at = utcnow()
        session.add(row)
        session.commit()
        session.refresh(row)
        return row


def set_export(engine: Engine, export_id: int, **fields: object) -> None:
    with session_scope(engine) as session:
        row = session.get(PrivacyExport, export_id)
        if row is None:
            raise LookupError(f"export {export_id} not found")
        for key, value in fields.items():
            setattr(row, key, value)
        session.add(row)
        session.commit()


def proof_event(
    erasure_id: int, connection: str, summary: str, ok: bool, at: datetime | None = None
) -> AuditEventBase:
    """The audit row proving what one erasure did in one system. It names the request and the
    connection, never the person: the audit log is append-only and outlives the erasure."""
    return AuditEventBase(
        at=at or utcnow(),
        actor=ACTOR,
        actor_kind="process",
        action=f"ERASE {connection}: {summary}"[:200],
        path=f"/api/v1/privacy/erasures/{erasure_id}",
        client_ip="-",
        status=200 if ok else 500,
        outcome="success" if ok else "failed",
        correlation_id=f"erasure-{erasure_id}",
    )


def record_steps(
    engine: Engine, erasure_id: int, connection: str, system: str, steps: list[PrivacyErasureStep]
) -> str:
    """Append the proof of ``connection``'s steps to the audit log and keep the steps with it;
    returns the audit row's hash. Recording the same connection twice (a retried activity)
    keeps the first proof."""
    with session_scope(engine) as session:
        done = session.exec(
            select(PrivacyErasureStep).where(
                PrivacyErasureStep.erasure_id == erasure_id,
                PrivacyErasureStep.connection == connection,
            )
        ).first()
        if done is not None:
            return done.proof
    summary = ", ".join(f"{s.record_type}={s.treatment}" for s in steps) or "nothing held"
    ok = all(s.treatment != "failed" for s in steps)
    proof = audit.append(engine, proof_event(erasure_id, connection, summary, ok))
    with session_scope(engine) as session:
        for step in steps:
            step.erasure_id, step.connection, step.system, step.proof = (
                erasure_id,
                connection,
                system,
                proof,
            )
            session.add(step)
        session.commit()
    return proof
