"""The store of OneRoster CSV packages: received once per (source, name, SHA-256), staged as
OneRoster JSON records, paged like a REST collection, filed as processed or rejected.

Records are written with one ``executemany`` per chunk and read back by primary-key range, so a
page of a staged package costs what a page of the sync-state store costs.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from atrium.models.roster_package import RosterPackage, RosterPackageBlob, RosterPackageRecord

MAX_PROBLEMS = 500  # kept in the store and the report; the count says how many there were
CHUNK = 2000
BLOB_CHUNK = 1024 * 1024
PACKAGE = RosterPackage.__table__  # type: ignore[attr-defined]
RECORD = RosterPackageRecord.__table__  # type: ignore[attr-defined]
BLOB = RosterPackageBlob.__table__  # type: ignore[attr-defined]


def _now() -> datetime:
    return datetime.now(UTC)


def get(engine: Engine, package_id: int) -> RosterPackage | None:
    with engine.connect() as conn:
        row = conn.execute(select(PACKAGE).where(PACKAGE.c.id == package_id)).mappings().first()
    return RosterPackage.model_validate(dict(row)) if row else None


def find(engine: Engine, source: str, name: str, sha256: str) -> RosterPackage | None:
    with engine.connect() as conn:
        row = (
            conn.execute(
                select(PACKAGE).where(
                    PACKAGE.c.source == source, PACKAGE.c.name == name, PACKAGE.c.sha256 == sha256
                )
            )
            .mappings()
            .first()
        )
    return RosterPackage.model_validate(dict(row)) if row else None


def receive(
    engine: Engine,
    *,
    source: str,
    name: str,
    sha256: str,
    origin: str,
    size: int,
    received_by: str | None = None,
) -> tuple[RosterPackage, bool]:
    """The package's row, and whether this call created it (False: seen before)."""
    if (known := find(engine, source, name, sha256)) is not None:
        return known, False
    created = False
    try:
        with engine.begin() as conn:
            conn.execute(
                insert(PACKAGE).values(
                    source=source,
                    name=name,
                    sha256=sha256,
                    origin=origin,
                    status="received",
                    mode="bulk",
                    size=size,
                    counts={},
                    problems=[],
                    problem_count=0,
                    received_by=received_by,
                    received_at=_now(),
                )
            )
        created = True
    except IntegrityError:  # a concurrent receive of the same package won
        pass
    found = find(engine, source, name, sha256)
    assert found is not None
    return found, created


def stage(
    engine: Engine,
    package_id: int,
    *,
    mode: str,
    records: dict[str, list[dict[str, Any]]],
    problems: list[str],
    usable: bool,
) -> None:
    """Replace the package's staged records (a retried staging starts over) and its findings."""
    with engine.begin() as conn:
        conn.execute(delete(RECORD).where(RECORD.c.package_id == package_id))
        if usable:
            for kind, rows in records.items():
                for start in range(0, len(rows), CHUNK):
                    conn.execute(
                        insert(RECORD),
                        [
                            {
                                "package_id": package_id,
                                "record_type": kind,
                                "seq": start + i,
                                "body": json.dumps(row, separators=(",", ":")),
                            }
                            for i, row in enumerate(rows[start : start + CHUNK])
                        ],
                    )
        conn.execute(
            update(PACKAGE)
            .where(PACKAGE.c.id == package_id)
            .values(
                status="staged" if usable else "rejected",
                mode=mode,
                counts={k: len(v) for k, v in records.items()},
                problems=problems[:MAX_PROBLEMS],
                problem_count=len(problems),
                finished_at=None if usable else _now(),
            )
        )


def total(engine: Engine, package_id: int, kind: str) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count())
                .select_from(RECORD)
                .where(RECORD.c.package_id == package_id, RECORD.c.record_type == kind)
            ).scalar_one()
        )


def page(engine: Engine, package_id: int, kind: str, offset: int, limit: int) -> list[str]:
    """The JSON bodies of records ``offset .. offset+limit`` of one type, in sourcedId order."""
    with engine.connect() as conn:
        return list(
            conn.execute(
                select(RECORD.c.body)
                .where(
                    RECORD.c.package_id == package_id,
                    RECORD.c.record_type == kind,
                    RECORD.c.seq >= offset,
                    RECORD.c.seq < offset + limit,
                )
                .order_by(RECORD.c.seq)
            ).scalars()
        )


def current(engine: Engine, source: str) -> int | None:
    """The newest complete (bulk) package of ``source`` a sync may read: what a process that
    names no package (reconciliation, a roster sync started by hand) sees as the SIS."""
    with engine.connect() as conn:
        return conn.execute(
            select(func.max(PACKAGE.c.id)).where(
                PACKAGE.c.source == source,
                PACKAGE.c.mode == "bulk",
                PACKAGE.c.status.in_(("staged", "processed")),
            )
        ).scalar_one_or_none()


def finish(engine: Engine, package_id: int, status: str) -> None:
    """File the package; a processed bulk package makes older packages' records unneeded."""
    with engine.begin() as conn:
        conn.execute(
            update(PACKAGE)
            .where(PACKAGE.c.id == package_id, PACKAGE.c.status != status)
            .values(status=status, finished_at=_now())
        )
        conn.execute(delete(BLOB).where(BLOB.c.package_id == package_id))
        row = conn.execute(
            select(PACKAGE.c.source, PACKAGE.c.mode).where(PACKAGE.c.id == package_id)
        ).first()
        if status == "processed" and row is not None and row.mode == "bulk":
            older = select(PACKAGE.c.id).where(
                PACKAGE.c.source == row.source, PACKAGE.c.id < package_id
            )
            conn.execute(delete(RECORD).where(RECORD.c.package_id.in_(older)))
        if status == "rejected":
            conn.execute(delete(RECORD).where(RECORD.c.package_id == package_id))


def save_blob(engine: Engine, package_id: int, chunks: Iterable[bytes]) -> None:
    with engine.begin() as conn:
        conn.execute(delete(BLOB).where(BLOB.c.package_id == package_id))
        for seq, chunk in enumerate(chunks):
            conn.execute(insert(BLOB).values(package_id=package_id, seq=seq, chunk=chunk))


def read_blob(engine: Engine, package_id: int) -> bytes:
    with engine.connect() as conn:
        return b"".join(
            conn.execute(
                select(BLOB.c.chunk).where(BLOB.c.package_id == package_id).order_by(BLOB.c.seq)
            ).scalars()
        )


def chunked(stream: Any, size: int = BLOB_CHUNK) -> Iterator[bytes]:
    """Read a binary file object in ``size`` pieces."""
    while piece := stream.read(size):
        yield piece


def recent(
    engine: Engine, source: str | None, limit: int, offset: int
) -> tuple[list[RosterPackage], int]:
    query = select(PACKAGE)
    counting = select(func.count()).select_from(PACKAGE)
    if source:
        query, counting = (
            query.where(PACKAGE.c.source == source),
            counting.where(PACKAGE.c.source == source),
        )
    with engine.connect() as conn:
        rows = conn.execute(
            query.order_by(PACKAGE.c.id.desc()).limit(limit).offset(offset)
        ).mappings()
        found = [RosterPackage.model_validate(dict(r)) for r in rows]
        count = int(conn.execute(counting).scalar_one())
    return found, count
