"""The Moodle emulator on the wire: Moodle's exact error bodies, GET/POST arrays, XML, 429."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from sandbox.context import SystemContext
from sandbox.moodle import create_app
from tests.support.servers import serve

SERVER = "/webservice/rest/server.php"


@pytest.fixture
async def http(sandbox_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"{sandbox_url}/moodle") as client:
        yield client


async def token(sandbox_url: str) -> str:
    async with httpx.AsyncClient() as client:
        return str((await client.get(f"{sandbox_url}/_control/credentials/moodle")).json()["token"])


async def call(http: httpx.AsyncClient, tok: str, function: str, **form: Any) -> httpx.Response:
    query = {"wstoken": tok, "wsfunction": function, "moodlewsrestformat": "json"}
    return await http.post(SERVER, params=query, data=form)


async def test_invalid_token_body(http: httpx.AsyncClient) -> None:
    response = await call(http, "nope", "core_webservice_get_site_info")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "exception": "moodle_exception",
        "errorcode": "invalidtoken",
        "message": "Invalid token - token not found",
    }


async def test_unknown_function_body(http: httpx.AsyncClient, sandbox_url: str) -> None:
    response = await call(http, await token(sandbox_url), "core_does_not_exist")
    assert response.json() == {
        "exception": "dml_missing_record_exception",
        "errorcode": "invalidrecord",
        "message": "Can't find data record in database table external_functions.",
        "debuginfo": "SELECT * FROM {external_functions} WHERE name = ?\n"
        "[array (\n  0 => 'core_does_not_exist',\n)]",
    }


async def test_parameter_errors_name_the_path(http: httpx.AsyncClient, sandbox_url: str) -> None:
    tok = await token(sandbox_url)
    missing = (await call(http, tok, "core_user_get_users_by_field", field="id")).json()
    assert missing["exception"] == "invalid_parameter_exception"
    assert missing["debuginfo"] == "Missing required key in single structure: values"
    bad_int = (
        await call(
            http,
            tok,
            "enrol_manual_enrol_users",
            **{
                "enrolments[0][roleid]": "five",
                "enrolments[0][userid]": "2",
                "enrolments[0][courseid]": "1",
            },
        )
    ).json()
    assert bad_int["debuginfo"] == (
        "enrolments => Invalid parameter value detected: roleid => Invalid parameter value "
        'detected: Invalid external api parameter: the value is "five", the server was '
        'expecting "int" type'
    )
    extra = (await call(http, tok, "core_webservice_get_site_info", surprise="1")).json()
    assert extra["debuginfo"] == "Unexpected keys (surprise) detected in parameter array."


async def test_get_with_php_arrays_and_json_escaping(
    http: httpx.AsyncClient, sandbox_url: str
) -> None:
    query = {
        "wstoken": await token(sandbox_url),
        "wsfunction": "core_user_get_users_by_field",
        "moodlewsrestformat": "json",
        "field": "id",
        "values[0]": "2",
    }
    response = await http.get(SERVER, params=query)
    [admin] = response.json()
    assert (admin["id"], admin["username"]) == (2, "admin")
    assert "\\/" in response.text  # PHP's json_encode escapes slashes in URLs


async def test_enrol_returns_null_and_xml_is_the_default(
    http: httpx.AsyncClient, sandbox_url: str
) -> None:
    tok = await token(sandbox_url)
    no_instance = (
        await call(
            http,
            tok,
            "enrol_manual_enrol_users",
            **{
                "enrolments[0][roleid]": "5",
                "enrolments[0][userid]": "2",
                "enrolments[0][courseid]": "1",
            },
        )
    ).json()
    assert no_instance["errorcode"] == "wsnoinstance"  # the front page has no manual enrolment
    response = await http.post(SERVER, data={"wstoken": "bad", "wsfunction": "x"})
    assert response.headers["content-type"].startswith("application/xml")
    assert '<EXCEPTION class="moodle_exception">' in response.text
    assert "<ERRORCODE>invalidtoken</ERRORCODE>" in response.text


async def test_rate_limit_answers_429_with_retry_after(
    http: httpx.AsyncClient, sandbox_url: str
) -> None:
    tok = await token(sandbox_url)
    async with httpx.AsyncClient() as control:
        await control.put(
            f"{sandbox_url}/_control/faults/moodle", json={"rate_limit_per_second": 1}
        )
        try:
            statuses = [(await call(http, tok, "core_webservice_get_site_info")) for _ in range(3)]
        finally:
            await control.delete(f"{sandbox_url}/_control/faults/moodle")
    assert [r.status_code for r in statuses][-1] == 429
    assert int(statuses[-1].headers["Retry-After"]) >= 1


async def test_control_grade_for_unknown_course_is_404(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/_control/grades", json={"courseid": 999999, "userid": 2, "itemname": "x", "grade": 1}
    )
    assert response.status_code == 404


async def test_state_survives_a_restart_and_seed_runs_once(tmp_path: Path) -> None:
    ctx = SystemContext(name="moodle", data_dir=tmp_path)
    form = {
        "courses[0][fullname]": "Kept",
        "courses[0][shortname]": "KEPT",
        "courses[0][categoryid]": "1",
    }
    for attempt in range(2):
        with serve(create_app(ctx)) as url:
            async with httpx.AsyncClient(base_url=url) as http:
                tok = ctx.credentials["token"]
                if attempt == 0:
                    created = (await call(http, tok, "core_course_create_courses", **form)).json()
                    assert created[0]["shortname"] == "KEPT"
                courses = (await call(http, tok, "core_course_get_courses_by_field")).json()
                assert [c["shortname"] for c in courses["courses"]] == ["sandbox", "KEPT"]


async def test_gradebook_functions_answer_as_moodle_does(
    http: httpx.AsyncClient, sandbox_url: str
) -> None:
    tok = await token(sandbox_url)
    tag = uuid.uuid4().hex[:8]
    made = await call(
        http,
        tok,
        "core_course_create_courses",
        **{"courses[0][fullname]": f"W {tag}", "courses[0][shortname]": f"W-{tag}",
           "courses[0][categoryid]": "1"},
    )  # fmt: skip
    course = made.json()[0]["id"]
    users = await call(
        http,
        tok,
        "core_user_create_users",
        **{"users[0][username]": f"w-{tag}", "users[0][firstname]": "W",
           "users[0][lastname]": "U", "users[0][email]": f"w-{tag}@school.example",
           "users[0][createpassword]": "1"},
    )  # fmt: skip
    user = users.json()[0]["id"]
    async with httpx.AsyncClient(base_url=f"{sandbox_url}/moodle/_control") as control:
        body = {"courseid": course, "userid": user, "itemname": "Lab", "grade": 3,
                "category": "Labs"}  # fmt: skip
        item = (await control.post("/grades", json=body)).json()["itemid"]

    listed = (await call(http, tok, "core_grades_get_gradeitems", courseid=course)).json()
    # The id is PARAM_ALPHANUM: Moodle's return cleaning turns it into a string.
    assert listed == {
        "gradeItems": [{"id": str(item), "itemname": "Lab", "category": "Labs"}],
        "warnings": [],
    }
    report = (
        await call(http, tok, "gradereport_user_get_grade_items", courseid=course, userid=user)
    ).json()
    rows = {row["itemtype"]: row for row in report["usergrades"][0]["gradeitems"]}
    assert rows["mod"]["categoryid"] == rows["category"]["iteminstance"]
    assert rows["mod"]["scaleid"] is None  # Moodle's report copies outcomeid here
    assert rows["category"]["categoryid"] is None and rows["category"]["graderaw"] == 3

    cmid = rows["mod"]["cmid"]
    common = {"source": "t", "courseid": course, "component": "mod_assign", "itemnumber": 0}
    ok = await call(
        http, tok, "core_grades_update_grades", activityid=cmid,
        **{**common, "grades[0][studentid]": user, "grades[0][grade]": "4.5"},
    )  # fmt: skip
    assert ok.json() == 0  # GRADE_UPDATE_OK
    wrong = await call(http, tok, "core_grades_update_grades", activityid=999999, **common)
    assert wrong.json()["errorcode"] == "invalidcoursemodule"

    assert (await call(http, tok, "core_user_delete_users", **{"userids[0]": user})).json() is None
    again = (await call(http, tok, "core_user_delete_users", **{"userids[0]": user})).json()
    assert again["errorcode"] == "invaliduser"
    deleted = await call(
        http, tok, "core_course_delete_courses", **{"courseids[0]": course, "courseids[1]": 999999}
    )
    assert deleted.json() == {
        "warnings": [
            {
                "item": "course",
                "itemid": 999999,
                "warningcode": "unknowncourseidnumber",
                "message": "Unknown course ID 999999",
            }
        ]
    }
