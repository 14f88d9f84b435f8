"""Issue 16 item 5, the further signals, against the real API over HTTP and the real store: an
API key used from a network never seen for it, an unusual volume of personal data read by one
caller, a connection moved to another origin. Each gives exactly one security event per subject
and window, with its severity and the response configured for its kind (a key suspended and
resumed, an account locked); a person acknowledges an event (security:manage)."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from google.protobuf import json_format
from sqlalchemy.engine import Engine
from sqlmodel import col, delete, select
from temporalio.api.common.v1 import Payloads
from temporalio.converter import DataConverter

from atrium.db import session_scope
from atrium.models import ApiKey, ApiKeyNetwork, QuarantinedRecord, User
from atrium.settings import Settings
from tests.security.listener import listening
from tests.security.test_threat_detection import api_with, events_about, forgetting_events
from tests.support.auth import bearer, login, make_api_key, make_user


def networks(n: int) -> list[str]:
    """The first three octets of ``n`` different /24s (TEST-NET-2 space, random third octets;
    drawn without replacement: two equal draws would be one network, and no event)."""
    return [f"198.18.{octet}" for octet in random.sample(range(1, 251), n)]


def as_key(url: str, key: str, address: str) -> httpx.Response:
    return httpx.get(
        f"{url}/api/v1/security/events",
        params={"limit": 1},
        headers={"X-API-Key": key, "X-Forwarded-For": address},
        timeout=30,
    )


@contextmanager
def forgetting_key(engine: Engine, key_id: int) -> Iterator[str]:
    subject = f"api-key:{key_id}"
    with forgetting_events(engine, subject):
        try:
            yield subject
        finally:
            with session_scope(engine) as session:
                session.exec(delete(ApiKeyNetwork).where(col(ApiKeyNetwork.key_id) == key_id))  # type: ignore[call-overload]
                session.commit()


def test_a_key_from_a_new_network_is_one_event_and_the_key_is_suspended_until_resumed(
    settings: Settings, engine: Engine
) -> None:
    admin = make_user(engine, "administrator")
    key_id, key = make_api_key(engine, admin, ["security:read"])
    home, elsewhere, third = networks(3)
    with (
        forgetting_key(engine, key_id) as subject,
        api_with(settings, network_response="suspend_key") as url,
    ):
        token = login(url, admin)
        # The first network is the key's baseline; another address of it is not news.
        assert as_key(url, key, f"{home}.10").status_code == 200
        assert as_key(url, key, f"{home}.77").status_code == 200
        assert events_about(url, token, subject) == []
        refused = as_key(url, key, f"{elsewhere}.5")
        assert refused.status_code == 401, refused.text
        assert "suspended" in refused.json()["error"]
        # Suspended everywhere, its own network too, until resumed.
        assert as_key(url, key, f"{home}.10").status_code == 401
        assert as_key(url, key, f"{third}.5").status_code == 401
        (event,) = events_about(url, token, subject)
        assert event["kind"] == "api_key_new_network" and event["severity"] == "medium"
        assert event["response"] == "suspend_key" and "suspended" in event["response_detail"]
        assert event["details"]["network"] == f"{elsewhere}.0/24"
        assert event["details"]["known_networks"] == [f"{home}.0/24"]
        listed = httpx.get(f"{url}/api/v1/api-keys/{key_id}", headers=bearer(token), timeout=30)
        assert listed.json()["suspended_by_event"] == event["id"]

        resume = f"{url}/api/v1/api-keys/{key_id}/resume"
        student = login(url, make_user(engine, "student"))
        assert httpx.post(resume, headers=bearer(student), timeout=30).status_code == 403
        resumed = httpx.post(resume, headers=bearer(token), timeout=30)
        assert resumed.status_code == 200 and resumed.json()["suspended_at"] is None
        assert httpx.post(resume, headers=bearer(token), timeout=30).status_code == 409
        # The network it was suspended for is now its own: it works there, no new event.
        assert as_key(url, key, f"{elsewhere}.9").status_code == 200
        assert len(events_about(url, token, subject)) == 1


def test_new_networks_within_one_window_are_one_event_when_only_recorded(
    settings: Settings, engine: Engine
) -> None:
    admin = make_user(engine, "administrator")
    key_id, key = make_api_key(engine, admin, ["security:read"])
    with forgetting_key(engine, key_id) as subject, api_with(settings) as url:
        statuses = [as_key(url, key, f"{net}.1").status_code for net in networks(4)]
        assert statuses == [200] * 4  # none configured: recorded, never refused
        (event,) = events_about(url, login(url, admin), subject)
        assert event["response"] == "none" and event["response_detail"] == ""
        with session_scope(engine) as session:
            seen = session.exec(select(ApiKeyNetwork).where(ApiKeyNetwork.key_id == key_id))
            assert len(seen.all()) == 4
            row = session.get(ApiKey, key_id)
            assert row is not None and row.suspended_at is None


def encoded(url: str, token: str, count: int) -> str:
    """``count`` payloads encrypted by the API's codec, as Temporal's payload JSON."""
    plain = DataConverter.default.payload_converter.to_payloads([f"p{i}" for i in range(count)])
    body = json_format.MessageToJson(Payloads(payloads=plain))
    answer = httpx.post(f"{url}/api/v1/codec/encode", content=body, headers=bearer(token))
    assert answer.status_code == 200, answer.text
    return answer.text


def decode(url: str, token: str, body: str) -> httpx.Response:
    return httpx.post(f"{url}/api/v1/codec/decode", content=body, headers=bearer(token), timeout=30)


def test_an_unusual_volume_of_decodes_is_one_event_and_locks_the_account(
    settings: Settings, engine: Engine
) -> None:
    reader = make_user(engine, "administrator")
    with (
        forgetting_events(engine, reader),
        api_with(settings, export_min_records=10, export_response="lock_account") as url,
    ):
        token = login(url, reader)
        body = encoded(url, token, 4)
        assert [decode(url, token, body).status_code for _ in range(2)] == [200, 200]  # 8 read
        cut = decode(url, token, body)  # 12: beyond the floor, and no history to compare with
        assert cut.status_code == 403, cut.text
        assert "export_volume" in cut.json()["error"]
        assert decode(url, token, body).status_code == 401  # the account's tokens are revoked
        with session_scope(engine) as session:
            user = session.exec(select(User).where(User.username == reader)).one()
            assert user.disabled
        (event,) = events_about(url, login(url, make_user(engine, "administrator")), reader)
        assert event["kind"] == "export_volume" and event["severity"] == "high"
        assert event["details"]["records"] == 12
        assert event["details"]["by_what"] == {"codec decodes": 12}
        assert event["response"] == "lock_account"
        assert event["response_detail"] == f"account disabled: {reader}"


def test_reads_beyond_the_floor_within_one_window_are_one_event_when_only_recorded(
    settings: Settings, engine: Engine
) -> None:
    reader = make_user(engine, "administrator")
    with forgetting_events(engine, reader), api_with(settings, export_min_records=5) as url:
        token = login(url, reader)
        body = encoded(url, token, 3)
        assert [decode(url, token, body).status_code for _ in range(5)] == [200] * 5
        (event,) = events_about(url, token, reader)
        assert event["details"]["records"] == 6 and event["response"] == "none"


def test_a_connection_moved_elsewhere_is_one_event_and_locks_its_mover(
    settings: Settings, engine: Engine, sandbox_url: str
) -> None:
    mover = make_user(engine, "administrator")
    name = f"moved-{uuid.uuid4().hex[:8]}"
    with (
        forgetting_events(engine, name),
        api_with(settings, origin_response="lock_account") as url,
        listening() as new_home,
        listening() as another,
    ):
        admin = bearer(login(url, make_user(engine, "administrator")))
        body = {"name": name, "system": "canvas", "base_url": f"{sandbox_url}/canvas"}
        created = httpx.post(f"{url}/api/v1/integrations", json=body, headers=admin, timeout=30)
        assert created.status_code == 201, created.text
        try:
            same_origin = {"base_url": f"{sandbox_url}/canvas/v2"}
            patch = f"{url}/api/v1/integrations/{name}"
            assert httpx.patch(patch, json=same_origin, headers=admin).status_code == 200
            assert events_about(url, admin["Authorization"][7:], name) == []  # a path: no news
            moved = httpx.patch(
                patch, json={"base_url": new_home.url}, headers=bearer(login(url, mover))
            )
            assert moved.status_code == 200, moved.text  # the move itself stands
            assert httpx.patch(patch, json={"base_url": another.url}, headers=admin).is_success
            (event,) = events_about(url, admin["Authorization"][7:], name)
            assert event["kind"] == "connection_origin_changed" and event["severity"] == "medium"
            assert event["details"] == {
                "from": sandbox_url, "to": new_home.url, "by": mover,
            }  # fmt: skip
            assert event["response_detail"] == f"account disabled: {mover}"
            with session_scope(engine) as session:
                assert session.exec(select(User).where(User.username == mover)).one().disabled
        finally:
            httpx.delete(f"{url}/api/v1/integrations/{name}", headers=admin, timeout=30)


def test_acknowledging_a_security_event_takes_security_manage(
    settings: Settings, engine: Engine
) -> None:
    reader = make_user(engine, "administrator")
    with forgetting_events(engine, reader), api_with(settings, export_min_records=1) as url:
        token = login(url, reader)
        assert decode(url, token, encoded(url, token, 2)).status_code == 200
        (event,) = events_about(url, token, reader)
        ack = f"{url}/api/v1/security/events/{event['id']}/acknowledge"
        auditor = login(url, make_user(engine, "auditor"))  # reads security, manages nothing
        assert httpx.post(ack, headers=bearer(auditor)).status_code == 403
        done = httpx.post(ack, headers=bearer(token))
        assert done.status_code == 200, done.text
        assert done.json()["acknowledged_by"] == reader and done.json()["acknowledged_at"]
        assert httpx.post(ack, headers=bearer(token)).status_code == 409
        missing = httpx.post(
            f"{url}/api/v1/security/events/2147483647/acknowledge", headers=bearer(token)
        )
        assert missing.status_code == 404
        open_ones = _list(url, token, acknowledged="false", subject=reader)
        assert open_ones == []
        assert [e["id"] for e in _list(url, token, acknowledged="true", subject=reader)] == [
            event["id"]
        ]


def _list(url: str, token: str, **params: Any) -> list[dict[str, Any]]:
    answer = httpx.get(f"{url}/api/v1/security/events", params=params, headers=bearer(token))
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


@contextmanager
def quarantined(engine: Engine, count: int) -> Iterator[str]:
    """``count`` open quarantined records of a connection of their own; its name."""
    connection = f"sig-{uuid.uuid4().hex[:8]}"
    with session_scope(engine) as session:
        for i in range(count):
            session.add(
                QuarantinedRecord(
                    integration=connection, record_type="person", source_id=f"p{i}",
                    stage="mapping", reason="test", run_id="test", payload={"email": "x@y.z"},
                )
            )  # fmt: skip
        session.commit()
    try:
        yield connection
    finally:
        with session_scope(engine) as session:
            session.exec(
                delete(QuarantinedRecord).where(col(QuarantinedRecord.integration) == connection)
            )  # type: ignore[call-overload]
            session.commit()


def test_large_list_reads_count_and_small_pages_do_not(settings: Settings, engine: Engine) -> None:
    reader = make_user(engine, "administrator")
    with (
        forgetting_events(engine, reader),
        quarantined(engine, 3) as connection,
        api_with(settings, export_list_rows=3, export_min_records=5) as url,
    ):
        token = login(url, reader)

        def page(limit: int) -> int:
            answer = httpx.get(
                f"{url}/api/v1/quarantine",
                params={"integration": connection, "limit": limit},
                headers=bearer(token),
                timeout=30,
            )
            assert answer.status_code == 200, answer.text
            return len(answer.json())

        assert [page(2) for _ in range(5)] == [2] * 5  # small pages: 10 rows, not counted
        assert events_about(url, token, reader) == []
        assert [page(3), page(3)] == [3, 3]  # two large answers: 6 records, beyond 5
        (event,) = events_about(url, token, reader)
        assert event["details"]["by_what"] == {"quarantine lists": 6}


def test_a_security_event_rule_without_its_min_severity_is_refused_naming_the_field(
    settings: Settings, engine: Engine
) -> None:
    with api_with(settings) as url:
        admin = bearer(login(url, make_user(engine, "administrator")))
        for body in (
            {"name": f"sec-{uuid.uuid4().hex[:6]}", "kind": "security_event"},
            {"name": f"sec-{uuid.uuid4().hex[:6]}", "kind": "security_event", "min_severity": "x"},
        ):
            answer = httpx.post(f"{url}/api/v1/alert-rules", json=body, headers=admin, timeout=30)
            assert answer.status_code == 422, answer.text
            assert "min_severity" in answer.text
