"""The intake log in the store (SQLite embedded, PostgreSQL in production): append with
deduplication by (source, event id), claim for dispatch keeping each subject's order, finish.

Synchronous on purpose: callers run it on a thread of their own (``atrium.group_commit``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, bindparam, func, or_, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from atrium.metrics import intake as metrics
from atrium.models.intake import IntakeEvent
from atrium.models.integration import utcnow

T = IntakeEvent.__table__  # type: ignore[attr-defined]
UNFINISHED = ("pending", "claimed")


@dataclass(frozen=True)
class NewEvent:
    source: str
    event_id: str
    event_type: str
    process: str
    subject: str | None
    workflow_id: str
    input: dict[str, Any]
    claimed_by: str | None = None  # set: the receiving request starts its run itself, at once


@dataclass(frozen=True)
class Accepted:
    id: int
    new: bool  # False: the same (source, event id) was accepted before; nothing was added
    status: str
    workflow_id: str
    run_id: str | None
    batch_id: str | None


@dataclass(frozen=True)
class Claimed:
    id: int
    source: str
    event_id: str
    process: str
    subject: str | None
    workflow_id: str
    input: dict[str, Any]


class IntakeStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.postgres = engine.dialect.name == "postgresql"

    # --- intake -----------------------------------------------------------------------------
    def append(self, events: Sequence[NewEvent]) -> list[Accepted]:
        """Insert the events not seen before, in one transaction; one answer per event, in order
        (a repeated key within the batch is a duplicate of its first occurrence)."""
        now = utcnow()
        first: dict[tuple[str, str], int] = {}
        rows = []
        for n, e in enumerate(events):
            if (e.source, e.event_id) in first:
                continue
            first[(e.source, e.event_id)] = n
            claimed = e.claimed_by is not None
            rows.append(
                {
                    "source": e.source,
                    "event_id": e.event_id,
                    "event_type": e.event_type,
                    "process": e.process,
                    "subject": e.subject,
                    "workflow_id": e.workflow_id,
                    "input": e.input,
                    "status": "claimed" if claimed else "pending",
                    "mode": "run" if claimed else None,
                    "claimed_by": e.claimed_by,
                    "claimed_at": now if claimed else None,
                    "received_at": now,
                }
            )
        dialect_insert = postgresql.insert if self.postgres else sqlite.insert
        stmt = (
            dialect_insert(T)
            .on_conflict_do_nothing(index_elements=["source", "event_id"])
            .returning(T.c.id, T.c.source, T.c.event_id)
        )
        with self.engine.begin() as conn:
            inserted = {(r.source, r.event_id): r.id for r in conn.execute(stmt, rows)}
            missing = [k for k in first if k not in inserted]
            existing = {}
            if missing:
                found = conn.execute(
                    select(T.c.id, T.c.source, T.c.event_id, T.c.status, T.c.workflow_id)
                    .add_columns(T.c.run_id, T.c.batch_id)
                    .where(tuple_(T.c.source, T.c.event_id).in_(missing))
                )
                existing = {(r.source, r.event_id): r for r in found}
        answers = []
        for n, e in enumerate(events):
            key = (e.source, e.event_id)
            if key in inserted and first[key] == n:
                status = "claimed" if e.claimed_by else "pending"
                answers.append(Accepted(inserted[key], True, status, e.workflow_id, None, None))
            elif key in inserted:  # repeated within this batch
                answers.append(Accepted(inserted[key], False, "pending", e.workflow_id, None, None))
            else:
                r = existing[key]
                answers.append(Accepted(r.id, False, r.status, r.workflow_id, r.run_id, r.batch_id))
        return answers

    # --- dispatch ---------------------------------------------------------------------------
    def claim(self, owner: str, limit: int, lease_seconds: float) -> tuple[list[Claimed], int]:
        """Take up to ``limit`` events waiting (or whose claim's lease ran out: its dispatcher
        died), oldest first; also how many were waiting to be looked at. An event is taken only
        after every earlier event of its subject is finished or taken in this same claim, so a
        subject's events are applied in order even with several dispatchers (on PostgreSQL, rows
        another dispatcher is claiming are skipped, not waited for).
        """
        now = utcnow()
        expired = now - timedelta(seconds=lease_seconds)
        query = (
            select(T.c.id, T.c.source, T.c.event_id, T.c.process, T.c.subject, T.c.workflow_id)
            .add_columns(T.c.input)
            .where(
                or_(
                    T.c.status == "pending",
                    and_(T.c.status == "claimed", T.c.claimed_at < expired),
                )
            )
            .order_by(T.c.id)
            .limit(limit)
        )
        if self.postgres:
            query = query.with_for_update(skip_locked=True)
        with self.engine.begin() as conn:
            rows = conn.execute(query).all()
            if not rows:
                return [], 0
            taken = self._in_subject_order(conn, rows, expired)
            if taken:
                conn.execute(
                    update(T)
                    .where(T.c.id.in_([r.id for r in taken]))
                    .values(status="claimed", claimed_by=owner[:127], claimed_at=now)
                )
        return [
            Claimed(r.id, r.source, r.event_id, r.process, r.subject, r.workflow_id, r.input)
            for r in taken
        ], len(rows)

    @staticmethod
    def _in_subject_order(conn: Any, rows: Sequence[Any], expired: Any) -> list[Any]:
        subjects = {r.subject for r in rows if r.subject is not None}
        if not subjects:
            return list(rows)
        last = max(r.id for r in rows)
        unfinished: dict[str, list[int]] = defaultdict(list)
        for r in conn.execute(
            select(T.c.id, T.c.subject)
            .where(T.c.subject.in_(subjects), T.c.status.in_(UNFINISHED), T.c.id <= last)
            .order_by(T.c.id)
        ):
            unfinished[r.subject].append(r.id)
        ours = {r.id for r in rows}
        allowed: set[int] = set()
        for ids in unfinished.values():
            for id_ in ids:  # the unbroken run of this subject's oldest events we hold
                if id_ not in ours:
                    break
                allowed.add(id_)
        return [r for r in rows if r.subject is None or r.id in allowed]

    def finish(
        self,
        ids: Sequence[int],
        *,
        status: str = "done",
        mode: str | None = None,
        run_id: str | None = None,
        batch_id: str | None = None,
        reason: str | None = None,
    ) -> None:
        values: dict[str, Any] = {"status": status, "done_at": utcnow()}
        for key, value in (("mode", mode), ("run_id", run_id), ("batch_id", batch_id)):
            if value is not None:
                values[key] = value
        if reason is not None:
            values["reason"] = reason[:1000]
        with self.engine.begin() as conn:
            conn.execute(update(T).where(T.c.id.in_(list(ids))).values(**values))
        metrics.dispatched(mode or "unknown", status, len(ids))

    def finish_coalesced(self, into: dict[int, int], batch_id: str) -> None:
        """Mark events done whose change a later event's write carried (``into``: id -> id)."""
        now = utcnow()
        carried: dict[int, list[int]] = {}
        for id_, carrier in into.items():
            carried.setdefault(carrier, []).append(id_)
        with self.engine.begin() as conn:  # one statement per carrying event
            for carrier, ids in carried.items():
                conn.execute(
                    update(T)
                    .where(T.c.id.in_(ids))
                    .values(
                        status="done",
                        mode="batch",
                        batch_id=batch_id,
                        coalesced_into=carrier,
                        done_at=now,
                    )
                )

    def assign(self, ids: Sequence[int], batch_id: str) -> None:
        """Name the batch run now applying these claimed events (what their status shows)."""
        with self.engine.begin() as conn:
            conn.execute(
                update(T)
                .where(T.c.id.in_(list(ids)), T.c.status == "claimed")
                .values(mode="batch", batch_id=batch_id)
            )

    def finish_runs(self, started: Sequence[tuple[int, str | None]]) -> None:
        """Mark events whose own run started as done, with the run's id (one transaction)."""
        if not started:
            return
        now = utcnow()
        with self.engine.begin() as conn:  # one statement, executed for many rows
            conn.execute(
                update(T)
                .where(T.c.id == bindparam("done_id"))
                .values(status="done", mode="run", run_id=bindparam("done_run"), done_at=now),
                [{"done_id": id_, "done_run": run_id} for id_, run_id in started],
            )
        metrics.dispatched("run", "done", len(started))

    def release(self, ids: Sequence[int]) -> None:
        """Give claimed events back (their start failed): the next claim takes them again."""
        with self.engine.begin() as conn:
            conn.execute(
                update(T)
                .where(T.c.id.in_(list(ids)), T.c.status == "claimed")
                .values(status="pending", claimed_by=None, claimed_at=None)
            )

    def load(self, ids: Sequence[int]) -> list[Any]:
        with self.engine.connect() as conn:
            return list(
                conn.execute(
                    select(T.c.id, T.c.event_id, T.c.process, T.c.status, T.c.input)
                    .add_columns(T.c.batch_id)
                    .where(T.c.id.in_(list(ids)))
                    .order_by(T.c.id)
                )
            )

    def depth(self) -> dict[str, Any]:
        """Events not finished yet, and how long the oldest has waited (seconds)."""
        with self.engine.connect() as conn:
            counts: dict[str, int] = dict(
                conn.execute(
                    select(T.c.status, func.count())
                    .where(T.c.status.in_(UNFINISHED))
                    .group_by(T.c.status)
                ).all()
            )
            oldest = conn.execute(
                select(func.min(T.c.received_at)).where(T.c.status.in_(UNFINISHED))
            ).scalar()
        if oldest is not None and oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=utcnow().tzinfo)
        age = (utcnow() - oldest).total_seconds() if oldest is not None else 0.0
        pending, claimed = counts.get("pending", 0), counts.get("claimed", 0)
        return {"pending": pending, "claimed": claimed, "age": age}
