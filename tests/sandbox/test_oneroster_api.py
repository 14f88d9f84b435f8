"""The OneRoster emulator on the wire: OAuth answers, imsx errors, headers, control, persistence."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from sandbox.oneroster.store import ensure_seeded, stored_identity

ROSTER = "/oneroster/ims/oneroster/rostering/v1p2"


@pytest.fixture(scope="module")
def headers(sandbox_url: str) -> dict[str, str]:
    creds = httpx.get(f"{sandbox_url}/_control/credentials/oneroster").json()
    answer = httpx.post(
        f"{sandbox_url}/oneroster/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": creds["client_id"],
            "client_secret": creds["client_secret"],
        },
    )
    assert answer.status_code == 200 and answer.json()["token_type"] == "bearer"
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def test_token_endpoint_speaks_rfc6749(sandbox_url: str) -> None:
    url = f"{sandbox_url}/oneroster/oauth/token"
    bad_client = httpx.post(url, data={"grant_type": "client_credentials"}, auth=("x", "y"))
    assert bad_client.status_code == 401 and bad_client.json()["error"] == "invalid_client"
    bad_grant = httpx.post(url, data={"grant_type": "password"})
    assert bad_grant.status_code == 400 and bad_grant.json()["error"] == "unsupported_grant_type"


def test_missing_token_is_imsx_401(sandbox_url: str) -> None:
    answer = httpx.get(f"{sandbox_url}{ROSTER}/users")
    assert answer.status_code == 401
    body = answer.json()
    assert body["imsx_codeMajor"] == "failure" and body["imsx_severity"] == "error"
    minor = body["imsx_CodeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"]
    assert minor == "unauthorisedrequest"


@pytest.mark.parametrize(
    ("query", "minor", "named"),
    [
        ("filter=colour='red'", "invalid_filter_field", "colour"),
        ("filter=dateLastModified>'yesterday'", "invalid_filter_field", "dateLastModified"),
        ("filter=givenName='Ann' XOR familyName='Lee'", "invalid_filter_field", "AND or OR"),
        ("sort=shoeSize", "invaliddata", "shoeSize"),
        ("fields=sourcedId,secret", "invalid_selection_field", "secret"),
    ],
)
def test_bad_queries_are_imsx_400(
    sandbox_url: str, headers: dict[str, str], query: str, minor: str, named: str
) -> None:
    answer = httpx.get(f"{sandbox_url}{ROSTER}/users?{query}", headers=headers)
    assert answer.status_code == 400
    body = answer.json()
    assert body["imsx_CodeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"] == minor
    assert named in body["imsx_description"]


def test_collection_headers_and_wrappers(sandbox_url: str, headers: dict[str, str]) -> None:
    answer = httpx.get(f"{sandbox_url}{ROSTER}/students?limit=7&offset=14", headers=headers)
    assert answer.headers["X-Total-Count"] == "300"
    assert len(answer.json()["users"]) == 7
    links = answer.headers["Link"]
    for rel, offset in (("next", 21), ("prev", 7), ("first", 0), ("last", 294)):
        assert f'offset={offset}>; rel="{rel}"' in links
    single = httpx.get(f"{sandbox_url}{ROSTER}/schools/sch-0002", headers=headers).json()
    assert single["org"]["type"] == "school"
    not_a_school = httpx.get(f"{sandbox_url}{ROSTER}/schools/dst-0001", headers=headers)
    assert not_a_school.status_code == 404


def test_mutate_bumps_date_and_status(sandbox_url: str, headers: dict[str, str]) -> None:
    changed = httpx.post(
        f"{sandbox_url}/oneroster/_control/mutate",
        json={"collection": "classes", "count": 3, "set": {"location": "Gym"}},
    ).json()
    for sid in changed["sourcedIds"]:
        record = httpx.get(f"{sandbox_url}{ROSTER}/classes/{sid}", headers=headers).json()["class"]
        assert record["location"] == "Gym"
        assert record["dateLastModified"] == changed["dateLastModified"]
    query = f"filter=dateLastModified>='{changed['dateLastModified']}' AND location='Gym'"
    found = httpx.get(f"{sandbox_url}{ROSTER}/classes?{query}", headers=headers)
    assert {c["sourcedId"] for c in found.json()["classes"]} >= set(changed["sourcedIds"])


def test_seeding_happens_once_and_state_survives(tmp_path: Path) -> None:
    path = tmp_path / "oneroster.db"
    first = ensure_seeded(path, seed=3, size="demo", prefix="/oneroster")
    assert first.seeded and first.rows > 6000 and stored_identity(path) == ("3", "demo")
    again = ensure_seeded(path, seed=3, size="demo", prefix="/oneroster")
    assert not again.seeded
