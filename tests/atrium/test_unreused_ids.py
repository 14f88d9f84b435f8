"""A deleted row's id is never given to the next one where a late reference would then name the
wrong thing: a subject-access export (a stale download link, another person's export) and an
alert (a delivery recorded late for a deleted alert, shown on a new one)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlmodel import SQLModel, col, delete, select

from atrium.db import make_engine, session_scope
from atrium.migrations import alembic_config, upgrade
from atrium.models.alerts import Alert
from atrium.models.privacy import PrivacyExport
from tests.conftest import database_urls

NEW: dict[str, Callable[[str], Any]] = {
    "export": lambda tag: PrivacyExport(subject=tag * 64, requested_by="privacy-officer"),
    "alert": lambda tag: Alert(
        rule_id=1, rule_name=f"rule-{tag}", group_key=tag, condition_at=datetime.now(UTC)
    ),
}


def _add(url: str, row: Any) -> int:
    with session_scope(make_engine(url)) as session:
        session.add(row)
        session.commit()
        session.refresh(row)
        assert row.id is not None
        return int(row.id)


@pytest.mark.parametrize("kind", sorted(NEW))
def test_the_last_rows_id_is_not_reused_after_it_is_deleted(kind: str, tmp_path: Path) -> None:
    for url in database_urls(tmp_path):
        upgrade(url)
        first = _add(url, NEW[kind]("a"))
        model: type[SQLModel] = type(NEW[kind]("a"))
        with session_scope(make_engine(url)) as session:
            session.exec(delete(model).where(col(model.id) == first))  # type: ignore[attr-defined,call-overload]
            session.commit()
        assert _add(url, NEW[kind]("b")) > first, url


def test_rows_kept_before_the_rebuild_keep_their_ids(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(alembic_config(url), "0022_report_indexes")
    kept = {kind: [_add(url, new("c")), _add(url, new("d"))] for kind, new in NEW.items()}
    upgrade(url)
    with session_scope(make_engine(url)) as session:
        exports = session.exec(select(PrivacyExport).order_by(col(PrivacyExport.id))).all()
        alerts = session.exec(select(Alert).order_by(col(Alert.id))).all()
        assert [(r.id, r.subject[0]) for r in exports] == list(
            zip(kept["export"], "cd", strict=True)
        )
        assert [(r.id, r.group_key) for r in alerts] == list(zip(kept["alert"], "cd", strict=True))
