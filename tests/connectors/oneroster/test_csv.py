"""CSV: the emulator's export read back by the reader, and precise errors on a bad zip."""

from __future__ import annotations

import io
import time
import zipfile

from connectors import canonical
from connectors.oneroster import CsvIssue, OneRosterClient, read_csv_zip
from connectors.oneroster.csv_spec import HEADERS
from tests.connectors.oneroster.conftest import mutate


async def test_bulk_export_round_trips_through_the_reader(oneroster: OneRosterClient) -> None:
    roster = read_csv_zip(await oneroster.download_csv())
    assert roster.issues == []
    assert roster.mode("enrollments") == "bulk" and roster.mode("lineItems") == "absent"
    active_users = (await oneroster.page("users", limit=1, filter="status='active'")).total
    active_enrollments = await oneroster.page("enrollments", limit=1, filter="status='active'")
    assert len(roster.persons) == active_users
    assert len(roster.enrollments) == active_enrollments.total
    assert len(roster.classes) == 60 and len(roster.orgs) == 3
    student = next(p for p in roster.persons if p.source_id == "stu-0000001")
    api = await oneroster.get("users", "stu-0000001")
    assert (student.given_name, student.email) == (api.given_name, api.email)
    assert student.role == canonical.Role.student


async def test_delta_export_carries_changes_and_tombstones(
    oneroster: OneRosterClient, sandbox_url: str
) -> None:
    since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 1))
    gone = await mutate(
        sandbox_url, collection="users", count=2, status="tobedeleted", filter="role='teacher'"
    )
    roster = read_csv_zip(await oneroster.download_csv(since=since))
    assert roster.issues == []
    assert roster.mode("users") == "delta" and roster.mode("courses") == "absent"
    by_id = {p.source_id: p for p in roster.persons}
    assert set(gone["sourcedIds"]) <= set(by_id)
    assert all(by_id[s].status == canonical.Status.tobedeleted for s in gone["sourcedIds"])


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def _csv(name: str, *rows: str) -> str:
    return "\r\n".join([",".join(HEADERS[name]), *rows]) + "\r\n"


MANIFEST = "propertyName,value\nmanifest.version,1.0\noneroster.version,1.2\n" + "".join(
    f"file.{n},bulk\n"
    for n in ("orgs", "academicSessions", "courses", "classes", "users", "roles", "enrollments")
)


def test_reader_reports_file_line_and_column() -> None:
    bad_courses_header = "sourcedId,status,dateLastModified,title,schoolYearSourcedId"
    data = _zip(
        {
            "manifest.csv": MANIFEST,
            "orgs.csv": _csv("orgs", "d1,,,District,district,,", "s1,,,School,school,S1,d1"),
            "academicSessions.csv": _csv(
                "academicSessions",
                "t1,,,Fall,term,2026-08-17,2026-12-18,,2027",
                "t2,,,Spring,term,2027-13-05,2027-05-28,,2027",  # line 3: month 13
            ),
            "courses.csv": bad_courses_header + "\r\nc1,,,Algebra,\r\n",
            "classes.csv": _csv("classes", "k1,,,Algebra A,,c1,,scheduled,,s1,t1,,,"),
            "roles.csv": _csv(
                "roles", "r1,,,u1,primary,student,,,s1,", "r2,,,u2,primary,teacher,,,s1,"
            ),
            "users.csv": _csv(
                "users",
                "u1,,,true,ann,,Ann,Lee,,,ann@example.org,,,,09,,,,,,,s1,",
                "u2,,,maybe,bob,,Bob,Ray,,,bob@example.org,,,,,,,,,,,s1,",  # line 3: enabledUser
            ),
            "enrollments.csv": _csv(
                "enrollments",
                "e1,,,k1,s1,u1,student,false,2026-08-17,2027-05-28",
                "e2,,,k9,s1,u1,student,false,,",  # line 3: unknown class
                "e3,,,k1,s1,u1,student,false,2026-08-17",  # line 4: a cell short
            ),
        }
    )
    roster = read_csv_zip(data)
    assert set(roster.issues) == {
        CsvIssue("academicSessions.csv", 3, 6, "startDate '2027-13-05' is not a date (YYYY-MM-DD)"),
        CsvIssue("courses.csv", 1, 4, "expected column 'schoolYearSourcedId', found 'title'"),
        CsvIssue("classes.csv", 2, 6, "courseSourcedId 'c1' is not in courses.csv"),
        CsvIssue("users.csv", 3, 4, "enabledUser must be true or false, not 'maybe'"),
        # k1 itself was rejected above, so e1 cannot point at it either
        CsvIssue("enrollments.csv", 2, 4, "classSourcedId 'k1' is not in classes.csv"),
        CsvIssue("enrollments.csv", 3, 4, "classSourcedId 'k9' is not in classes.csv"),
        CsvIssue("enrollments.csv", 4, 0, "row has 9 cells, header has 10"),
    }, "\n".join(map(str, roster.issues))
    # good rows are still there
    assert [o.source_id for o in roster.orgs] == ["d1", "s1"]
    assert [s.source_id for s in roster.academic_sessions] == ["t1"]
    assert [p.source_id for p in roster.persons] == ["u1"]
    assert roster.classes == [] and roster.enrollments == []


def test_reader_rejects_what_is_not_a_zip() -> None:
    roster = read_csv_zip(b"definitely not a zip")
    assert roster.issues == [CsvIssue("(zip)", 0, 0, "not a zip file")]
