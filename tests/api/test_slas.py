"""SLAs: a per-person SLA lists by person the students not in every target system within the
window (still missing, or in late), from the sync state; per-connection SLAs measure freshness and
run success; an ``sla_breach`` alert rule measures its SLA at every evaluation (the history) and
fires while it is breached; bounded inputs and who may read and manage."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, delete, select

from atrium.db import session_scope
from atrium.models import Sla, SlaPerson, SlaSample, SyncRecord
from atrium.models.integration import utcnow
from tests.conftest import ClientFor
from tests.workflows.alert_support import drop_rules
from tests.workflows.sync_env import eventually


@pytest.fixture(name="tag")
def cleaned_tag(engine: Engine) -> Iterator[str]:
    """A tag for this test's connections and SLAs; everything carrying it goes afterwards."""
    tag = uuid.uuid4().hex[:8]
    yield tag
    with session_scope(engine) as session:
        ours = [s.id for s in session.exec(select(Sla).where(col(Sla.name).contains(tag)))]
        session.exec(delete(SlaPerson).where(col(SlaPerson.sla_id).in_(ours)))  # type: ignore[call-overload]
        session.exec(delete(SlaSample).where(col(SlaSample.sla_id).in_(ours)))  # type: ignore[call-overload]
        session.exec(delete(Sla).where(col(Sla.id).in_(ours)))  # type: ignore[call-overload]
        session.exec(delete(SyncRecord).where(col(SyncRecord.integration).contains(tag)))  # type: ignore[call-overload]
        session.commit()


def _seed(engine: Engine, integration: str, record_type: str, source_id: str, at: datetime) -> None:
    """A record as the sync engine leaves it once written to ``integration``."""
    with session_scope(engine) as session:
        session.add(
            SyncRecord(
                integration=integration,
                record_type=record_type,
                source_id=source_id,
                version="v1",
                target_id=f"t-{source_id}",
                date_last_modified=at,
                synced_at=at,
            )
        )
        session.commit()


def _person_sla(tag: str, **fields: Any) -> dict[str, Any]:
    return {
        "name": f"new-enrollees-{tag}",
        "kind": "person",
        "targets": [f"lms-{tag}:users", f"library-{tag}:patrons"],
        "within_hours": 24,
        **fields,
    }


async def test_a_student_without_a_library_card_in_time_is_a_breach_by_person(
    api: httpx.AsyncClient, engine: Engine, tag: str
) -> None:
    lms, library, now = f"lms-{tag}", f"library-{tag}", utcnow()
    hours = lambda n: now - timedelta(hours=n)  # noqa: E731
    _seed(engine, lms, "users", "stu-nocard", hours(30))  # in the LMS, never in the library
    _seed(engine, lms, "users", "stu-both", hours(30))  # both, within the day
    _seed(engine, library, "patrons", "stu-both", hours(29))
    _seed(engine, lms, "users", "stu-new", hours(1))  # no card yet, still within the day
    _seed(engine, lms, "users", "stu-late", hours(40))  # a card, 38 hours after appearing
    _seed(engine, library, "patrons", "stu-late", hours(2))

    created = await api.post("/api/v1/slas", json=_person_sla(tag))
    assert created.status_code == 201, created.text
    sla = created.json()

    listed = await api.get(f"/api/v1/slas/{sla['id']}/breaches")
    assert listed.status_code == 200, listed.text
    by_person = {b["source_id"]: b for b in listed.json()}
    assert set(by_person) == {"stu-nocard", "stu-late"}  # stu-both and stu-new are not breaches
    nocard = by_person["stu-nocard"]
    assert nocard["state"] == "open" and nocard["missing"] == [f"{library}:patrons"]
    assert nocard["met_at"] is None
    appeared = datetime.fromisoformat(nocard["appeared_at"])
    assert abs((appeared - hours(30)).total_seconds()) < 1
    deadline = datetime.fromisoformat(nocard["deadline"])
    assert abs((deadline - hours(6)).total_seconds()) < 1
    assert by_person["stu-late"]["state"] == "late" and by_person["stu-late"]["met_at"]
    still = await api.get(f"/api/v1/slas/{sla['id']}/breaches", params={"state": "open"})
    assert [b["source_id"] for b in still.json()] == ["stu-nocard"]

    # The card comes now: the breach stays (late), its deadline does not move.
    _seed(engine, library, "patrons", "stu-nocard", now)
    later = {
        b["source_id"]: b for b in (await api.get(f"/api/v1/slas/{sla['id']}/breaches")).json()
    }
    assert later["stu-nocard"]["state"] == "late"
    assert later["stu-nocard"]["deadline"] == nocard["deadline"]
    assert later["stu-nocard"]["missing"] == [f"{library}:patrons"]  # what it lacked
    assert "stu-both" not in later and "stu-new" not in later

    sample = await api.post(f"/api/v1/slas/{sla['id']}/evaluate")
    assert sample.status_code == 200, sample.text
    assert sample.json()["status"] == "breached" and sample.json()["breaches"] == 2
    history = (await api.get(f"/api/v1/slas/{sla['id']}/history")).json()
    assert [h["id"] for h in history] == [sample.json()["id"]]


async def test_people_present_before_new_since_are_not_new_enrollees(
    api: httpx.AsyncClient, engine: Engine, tag: str
) -> None:
    _seed(engine, f"lms-{tag}", "users", "stu-old", utcnow() - timedelta(days=30))
    body = _person_sla(tag, new_since=(utcnow() - timedelta(days=2)).isoformat())
    sla = (await api.post("/api/v1/slas", json=body)).json()
    assert (await api.get(f"/api/v1/slas/{sla['id']}/breaches")).json() == []


async def test_connection_slas_measure_freshness_and_run_success(
    api: httpx.AsyncClient, engine: Engine, tag: str
) -> None:
    lms = f"lms-{tag}"
    _seed(engine, lms, "users", "stu-1", utcnow() - timedelta(hours=2))
    fresh = {"kind": "freshness", "integration": lms, "objective": 60}
    stale = (await api.post("/api/v1/slas", json={"name": f"fresh-{tag}", **fresh})).json()
    sample = (await api.post(f"/api/v1/slas/{stale['id']}/evaluate")).json()
    assert sample["status"] == "breached" and 115 < sample["value"] < 125
    roomy = {**fresh, "objective": 180}
    met = (await api.post("/api/v1/slas", json={"name": f"fresh2-{tag}", **roomy})).json()
    assert (await api.post(f"/api/v1/slas/{met['id']}/evaluate")).json()["status"] == "met"
    # No run of this connection ever closed: nothing to judge a success rate or latency by.
    for kind, objective in (("success_rate", 99), ("latency_p95", 30)):
        body = {"name": f"{kind.replace('_', '-')}-{tag}", "kind": kind, "integration": lms}
        made = (await api.post("/api/v1/slas", json={**body, "objective": objective})).json()
        measured = (await api.post(f"/api/v1/slas/{made['id']}/evaluate")).json()
        assert measured["status"] == "unknown" and measured["value"] is None
    person = (await api.post("/api/v1/slas", json=_person_sla(tag))).json()
    assert (await api.get(f"/api/v1/slas/{stale['id']}/breaches")).status_code == 409
    assert (await api.get(f"/api/v1/slas/{person['id']}/breaches")).status_code == 200


async def test_an_sla_breach_rule_records_history_and_fires_while_breached(
    api: httpx.AsyncClient, engine: Engine, tag: str
) -> None:
    lms, library = f"lms-{tag}", f"library-{tag}"
    _seed(engine, lms, "users", "stu-nocard", utcnow() - timedelta(hours=30))
    sla = (await api.post("/api/v1/slas", json=_person_sla(tag))).json()
    rule_set = f"sla-{tag}"
    body = {"name": f"sla-rule-{tag}", "rule_set": rule_set, "kind": "sla_breach"}
    created = await api.post("/api/v1/alert-rules", json={**body, "target": sla["name"]})
    assert created.status_code == 201, created.text
    rule = created.json()
    try:

        async def firing() -> list[dict[str, Any]]:
            params = {"rule_id": rule["id"], "status": "firing"}
            return list((await api.get("/api/v1/alerts", params=params)).json())

        [alert] = await eventually(firing, 20)
        assert alert["group_key"] == f"sla:{sla['name']}" and "1 people" in alert["summary"]
        history = (await api.get(f"/api/v1/slas/{sla['id']}/history")).json()
        assert history and history[0]["status"] == "breached"

        _seed(engine, library, "patrons", "stu-nocard", utcnow())  # late, still a breach
        _seed(engine, lms, "users", "stu-2", utcnow())

        async def resolved() -> bool:
            got = (await api.get(f"/api/v1/alerts/{alert['id']}")).json()
            return bool(got["status"] == "resolved")

        # A late card stays a breach: the alert goes on until the SLA is changed or deleted.
        assert (await api.get(f"/api/v1/alerts/{alert['id']}")).json()["status"] == "firing"
        assert (await api.delete(f"/api/v1/slas/{sla['id']}")).status_code == 204
        await eventually(resolved, 20)  # a deleted SLA breaches nothing
        kept = await api.get(f"/api/v1/slas/{sla['id']}/history")
        assert kept.status_code == 404  # the SLA is gone (its samples stay in the store)
    finally:
        await api.delete(f"/api/v1/alert-rules/{rule['id']}")
        drop_rules(engine, rule_set, rule["id"])


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "weather"}, "kind"),
        ({"targets": []}, "targets"),
        ({"targets": ["no-colon"]}, "targets"),
        ({"targets": ["a:b'; drop"]}, "targets"),
        ({"within_hours": 0}, "within_hours"),
        ({"kind": "freshness", "targets": []}, "integration"),
        ({"kind": "success_rate", "integration": "x", "objective": 101}, "objective"),
        ({"kind": "latency_p95", "integration": "x", "objective": 0}, "objective"),
        ({"name": "Not A Name"}, "name"),
    ],
)
async def test_bad_slas_get_a_4xx_naming_the_field(
    api: httpx.AsyncClient, tag: str, fields: dict[str, Any], field: str
) -> None:
    response = await api.post("/api/v1/slas", json=_person_sla(tag, **fields))
    assert response.status_code == 422, response.text
    assert field in str(response.json()["error"])


async def test_who_may_read_and_manage_slas(client_for: ClientFor, tag: str) -> None:
    leader, student = await client_for("leader"), await client_for("student")
    assert (await leader.get("/api/v1/slas")).status_code == 200
    assert (await leader.post("/api/v1/slas", json=_person_sla(tag))).status_code == 403
    assert (await student.get("/api/v1/slas")).status_code == 403
    assert (await student.get("/api/v1/slas/1/breaches")).status_code == 403
