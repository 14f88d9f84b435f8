"""The gradebook emulator's write semantics, which the OpenAPI alone does not pin down: PUT is
create-or-replace and idempotent, POST keeps the supplied sourcedIds, a record the schema would
refuse is a 422 naming the member, and every write is removed again afterwards."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest

GRADEBOOK = "/oneroster/ims/oneroster/gradebook/v1p2"
ROSTER = "/oneroster/ims/oneroster/rostering/v1p2"


@pytest.fixture(scope="module")
def sis(sandbox_url: str) -> Iterator[httpx.Client]:
    creds = httpx.get(f"{sandbox_url}/_control/credentials/oneroster").json()
    token = httpx.post(
        f"{sandbox_url}/oneroster/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(creds["client_id"], creds["client_secret"]),
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=sandbox_url, headers=headers) as client:
        yield client


def _line_item(**changes: object) -> dict[str, object]:
    return {
        "title": "Spec quiz",
        "assignDate": "2026-11-01T08:00:00Z",
        "dueDate": "2026-11-08T23:59:00Z",
        "class": {"sourcedId": "cls-000001"},
        "category": {"sourcedId": "cat-04"},
        **changes,
    }


def _minor(answer: httpx.Response) -> str:
    body = answer.json()
    assert set(body) <= {"imsx_codeMajor", "imsx_severity", "imsx_description", "imsx_CodeMinor"}
    return str(body["imsx_CodeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"])


def test_put_is_201_without_body_and_idempotent(sis: httpx.Client) -> None:
    sid = f"spec-li-{uuid.uuid4().hex[:8]}"
    url = f"{GRADEBOOK}/lineItems/{sid}"
    try:
        first = sis.put(url, json={"lineItem": _line_item()})
        assert first.status_code == 201 and first.content == b""
        stored = sis.get(url).json()["lineItem"]
        assert stored["school"]["sourcedId"] == "sch-0001"  # follows from the class
        assert stored["category"]["href"].startswith("http://")  # hrefs are absolute
        assert sis.put(url, json={"lineItem": _line_item()}).status_code == 201
        assert sis.get(url).json()["lineItem"]["dateLastModified"] == stored["dateLastModified"]
        sis.put(url, json={"lineItem": _line_item(title="Spec quiz (v2)")})
        assert sis.get(url).json()["lineItem"]["title"] == "Spec quiz (v2)"
    finally:
        assert sis.delete(url).status_code == 204
    gone = sis.get(url)
    assert gone.status_code == 404 and _minor(gone) == "unknownobject"


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"category": None}, "category"),
        ({"category": {"sourcedId": "no-such-category"}}, "no-such-category"),
        ({"school": {"sourcedId": "sch-0002"}}, "school"),
        ({"dueDate": "next friday"}, "dueDate"),
        ({"colour": "red"}, "colour"),
        ({"resultValueMax": "ten"}, "resultValueMax"),
        ({"learningObjectiveSet": [{"source": "case"}]}, "learningObjectiveSet[0]"),
        (
            {"learningObjectiveSet": [{"source": "CASE", "learningObjectiveIds": ["x"]}]},
            "learningObjectiveSet[0].source",
        ),
    ],
)
def test_invalid_line_item_is_422_naming_the_member(
    sis: httpx.Client, change: dict[str, object], named: str
) -> None:
    sid = f"spec-li-{uuid.uuid4().hex[:8]}"
    answer = sis.put(f"{GRADEBOOK}/lineItems/{sid}", json={"lineItem": _line_item(**change)})
    assert answer.status_code == 422 and _minor(answer) == "invaliddata"
    assert named in answer.json()["imsx_description"]
    assert sis.get(f"{GRADEBOOK}/lineItems/{sid}").status_code == 404  # nothing stored


def test_post_keeps_supplied_ids_and_a_retry_creates_nothing(sis: httpx.Client) -> None:
    item = f"spec-li-{uuid.uuid4().hex[:8]}"
    students = sis.get(f"{ROSTER}/classes/cls-000001/students", params={"limit": 2}).json()
    records: list[dict[str, object]] = [
        {
            "sourcedId": f"{item}-{s['sourcedId']}",
            "student": {"sourcedId": s["sourcedId"]},
            "scoreStatus": "fully graded",
            "score": 9,
            "scoreDate": "2026-11-09",
            "missing": "false",
        }
        for s in students["users"]
    ]
    body = {"lineItems": [{"sourcedId": item, **_line_item()}]}
    posted = sis.post(f"{GRADEBOOK}/classes/cls-000001/lineItems", json=body)
    try:
        assert posted.status_code == 201
        assert posted.json() == {
            "sourcedIdPairs": [{"suppliedSourcedId": item, "allocatedSourcedId": item}]
        }
        for _ in range(2):  # the retry replaces, it does not duplicate
            answer = sis.post(f"{GRADEBOOK}/lineItems/{item}/results", json={"results": records})
            assert answer.status_code == 201
        listed = sis.get(f"{GRADEBOOK}/classes/cls-000001/lineItems/{item}/results").json()
        assert sorted(r["sourcedId"] for r in listed["results"]) == sorted(
            str(r["sourcedId"]) for r in records
        )
        assert {r["missing"] for r in listed["results"]} == {"false"}
    finally:
        for record in records:
            sis.delete(f"{GRADEBOOK}/results/{record['sourcedId']}")
        assert sis.delete(f"{GRADEBOOK}/lineItems/{item}").status_code == 204


def test_routing_misses_are_imsx(sis: httpx.Client) -> None:
    unknown = sis.get(f"{GRADEBOOK}/nothing-here")
    assert unknown.status_code == 404 and _minor(unknown) == "unknownobject"
    newline = sis.get(f"{ROSTER}/classes/a%0Ab/students")  # reaches the emulator, not the sandbox
    assert newline.status_code == 404 and _minor(newline) == "unknownobject"
    wrong_method = sis.post(f"{ROSTER}/users")
    assert wrong_method.status_code == 405
    assert wrong_method.json()["imsx_codeMajor"] == "unsupported"


def test_fields_as_csv_or_repeated(sis: httpx.Client) -> None:
    for query in ("fields=sourcedId,title", "fields=sourcedId&fields=title"):
        answer = sis.get(f"{GRADEBOOK}/categories?{query}")
        assert answer.status_code == 200
        assert {frozenset(c) for c in answer.json()["categories"]} == {
            frozenset({"sourcedId", "title"})
        }
