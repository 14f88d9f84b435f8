"""A deleted subject-access export's id is never given to the next one (a stale download link
or a part still keyed by that id would name another person's export)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlmodel import col, delete, select

from atrium.db import make_engine, session_scope
from atrium.migrations import alembic_config, upgrade
from atrium.models.privacy import PrivacyExport
from tests.conftest import database_urls


def _new_export(url: str, subject: str) -> int:
    with session_scope(make_engine(url)) as session:
        row = PrivacyExport(subject=subject, requested_by="privacy-officer")
        session.add(row)
        session.commit()
        session.refresh(row)
        assert row.id is not None
        return row.id


def test_the_last_exports_id_is_not_reused_after_it_is_deleted(tmp_path: Path) -> None:
    for url in database_urls(tmp_path):
        upgrade(url)
        first = _new_export(url, "a" * 64)
        with session_scope(make_engine(url)) as session:
            session.exec(delete(PrivacyExport).where(col(PrivacyExport.id) == first))  # type: ignore[call-overload]
            session.commit()
        assert _new_export(url, "b" * 64) > first, url


def test_exports_kept_before_the_rebuild_keep_their_ids(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(alembic_config(url), "0022_report_indexes")
    kept = [_new_export(url, "c" * 64), _new_export(url, "d" * 64)]
    upgrade(url)
    with session_scope(make_engine(url)) as session:
        rows = session.exec(select(PrivacyExport).order_by(col(PrivacyExport.id))).all()
        assert [(r.id, r.subject) for r in rows] == [(kept[0], "c" * 64), (kept[1], "d" * 64)]
