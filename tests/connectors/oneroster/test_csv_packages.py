"""Packages as schools send them (fixtures/v1p2, fixtures/v1p1, written from the bindings with
the mistakes csv-columns.md lists): every good row loads, every problem is reported once with
file, line and column, and rows that depend on a refused row wait for it instead of failing."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from connectors import canonical
from connectors.oneroster import CsvReport, iter_package, read_csv_zip

FIXTURES = Path(__file__).parent / "fixtures"


def _zip(folder: Path, prefix: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, prefix + path.name)
    return buffer.getvalue()


def _issues(report: CsvReport) -> list[tuple[str, int, int, str, str, str]]:
    return [
        (i.file, i.line, i.column, i.severity, i.column_name, i.waits_for) for i in report.issues
    ]


V1P2 = {
    ("orgs.csv", 1, 1, "warning", "sourcedId", ""),  # " SourcedId " header
    ("academicSessions.csv", 3, 5, "warning", "type", ""),  # Term
    ("academicSessions.csv", 4, 6, "error", "startDate", ""),  # 1/05/2027
    ("courses.csv", 3, 8, "warning", "orgSourcedId", ""),  # s7 not in the package
    ("courses.csv", 4, 3, "warning", "dateLastModified", ""),  # a bare date
    ("classes.csv", 2, 8, "warning", "classType", ""),  # Scheduled
    ("classes.csv", 3, 11, "waiting", "termSourcedIds", "academicSessions.csv:4"),
    ("classes.csv", 4, 2, "error", "status", ""),  # deleted
    ("classes.csv", 4, 8, "error", "classType", ""),  # lecture
    ("roles.csv", 4, 6, "error", "role", ""),  # wizard
    ("users.csv", 1, 18, "warning", "preferredGivenName", ""),  # prefferedGivenName
    ("users.csv", 1, 22, "warning", "", ""),  # nickname
    ("users.csv", 3, 4, "warning", "enabledUser", ""),  # TRUE
    ("users.csv", 4, 1, "waiting", "sourcedId", "roles.csv:4"),
    ("users.csv", 5, 4, "error", "enabledUser", ""),  # maybe
    ("users.csv", 5, 7, "error", "givenName", ""),  # empty
    ("users.csv", 7, 5, "error", "username", ""),  # empty (required by the CSV binding)
    ("enrollments.csv", 3, 6, "waiting", "userSourcedId", "users.csv:5"),
    ("enrollments.csv", 4, 4, "error", "classSourcedId", ""),  # k9 nowhere
    ("enrollments.csv", 5, 4, "waiting", "classSourcedId", "classes.csv:3"),
    ("enrollments.csv", 6, 7, "warning", "role", ""),  # Student
    ("enrollments.csv", 8, 10, "error", "endDate", ""),  # before beginDate
    ("enrollments.csv", 9, 4, "waiting", "classSourcedId", "classes.csv:4"),
}


@pytest.mark.parametrize("form", ["folder", "zip", "zip of a folder"])
def test_a_1p2_package_loads_every_good_row_and_reports_each_problem_once(form: str) -> None:
    folder = FIXTURES / "v1p2"
    sources: dict[str, bytes | Path] = {
        "folder": folder,
        "zip": _zip(folder),
        "zip of a folder": _zip(folder, "export-2026-05-01/"),
    }
    roster = read_csv_zip(sources[form])
    report = roster.report
    issues = _issues(report)
    assert len(issues) == len(set(issues)), "a problem was reported twice"
    assert set(issues) == V1P2, "\n".join(map(str, report.issues))
    assert report.version == "1.2"
    assert [o.source_id for o in roster.orgs] == ["d1", "s1", "s2"]
    assert [s.source_id for s in roster.academic_sessions] == ["y1", "t1"]
    assert [c.source_id for c in roster.courses] == ["c1", "c2", "c3"]
    assert [k.source_id for k in roster.classes] == ["k1", "k4"]
    assert [p.source_id for p in roster.persons] == ["u1", "u2", "u5", "u7"]
    assert [e.source_id for e in roster.enrollments] == ["e1", "e5", "e6"]
    people = {p.source_id: p for p in roster.persons}
    assert people["u1"].preferred_first_name == "Annie"  # read through the misspelt header
    assert people["u5"].role == "ext:mentor" and people["u5"].email == "n/a"
    assert people["u7"].role == canonical.Role.administrator  # principal
    assert roster.academic_sessions[1].type == "term" and roster.classes[0].term_ids == ["t1"]
    assert report.loaded["roles"] == 6 and report.refused["enrollments"] == 5


def test_a_1p1_package_is_read_with_its_own_columns_by_the_manifest() -> None:
    roster = read_csv_zip(FIXTURES / "v1p1")
    report = roster.report
    issues = _issues(report)
    assert len(issues) == len(set(issues))
    assert set(issues) == {
        ("orgs.csv", 3, 5, "warning", "type", ""),  # School
        ("academicSessions.csv", 3, 7, "error", "endDate", ""),  # before startDate
        ("academicSessions.csv", 3, 9, "error", "schoolYear", ""),  # 27
        ("classes.csv", 3, 2, "warning", "status", ""),  # 1.1's inactive
        ("users.csv", 3, 5, "warning", "orgSourcedIds", ""),  # s7 not in the package
        ("users.csv", 3, 6, "warning", "role", ""),  # Teacher
        ("users.csv", 4, 6, "error", "role", ""),  # empty
        ("users.csv", 5, 18, "warning", "", ""),  # the trailing password cell left off
        ("enrollments.csv", 4, 6, "waiting", "userSourcedId", "users.csv:4"),
        ("enrollments.csv", 5, 2, "error", "status", ""),  # a delta row needs it
        ("enrollments.csv", 5, 3, "error", "dateLastModified", ""),
    }, "\n".join(map(str, report.issues))
    assert report.version == "1.1" and roster.mode("enrollments") == "delta"
    assert [p.source_id for p in roster.persons] == ["p1", "p2", "p4"]
    quin = roster.persons[1]
    assert quin.role == canonical.Role.teacher and quin.org_ids == ["s1", "s7"]
    assert roster.classes[1].status == canonical.Status.tobedeleted  # inactive
    assert [(e.source_id, e.status) for e in roster.enrollments] == [
        ("n1", "active"),
        ("n2", "tobedeleted"),
        ("n5", "active"),
    ]
    assert roster.enrollments[2].role == canonical.Role.aide


def test_rows_stream_in_dependency_order_with_their_lines() -> None:
    report = CsvReport()
    rows = iter_package(FIXTURES / "v1p2", report)
    first = next(rows)
    assert (first.file, first.line, first.record.source_id) == ("orgs", 2, "d1")
    assert (report.loaded["orgs"], report.loaded["users"]) == (1, 0)  # lazily: one row so far
    files = [first.file] + [row.file for row in rows]
    assert files == sorted(files, key=["orgs", "academicSessions", "courses", "classes",
                                       "users", "enrollments"].index)  # fmt: skip


def test_what_is_no_package_and_what_the_manifest_gets_wrong() -> None:
    report = CsvReport()
    assert list(iter_package(b"definitely not a zip", report)) == []
    assert [(i.file, i.severity) for i in report.issues] == [("(package)", "error")]
    files = {
        "manifest.csv": "propertyName,value\noneroster.version,9.9\nfile.orgs,Bulk\n"
        "file.users,sometimes\nfile.courses,delta\n",
        "orgs.csv": "sourcedId,status,dateLastModified,name,type,identifier\n"
        "s1,,,School,school,S1\ns1,,,Same id,school,S2\n",
        "classes.csv": "sourcedId\nk1\n",
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    roster = read_csv_zip(buffer.getvalue())
    assert {(i.file, i.column_name, i.severity) for i in roster.issues} == {
        ("manifest.csv", "oneroster.version", "warning"),  # read as 1.2
        ("manifest.csv", "file.orgs", "warning"),  # Bulk
        ("manifest.csv", "file.users", "error"),
        ("courses.csv", "file.courses", "error"),  # said delta, not there
        ("classes.csv", "file.classes", "warning"),  # there, but absent in the manifest
        ("orgs.csv", "sourcedId", "error"),  # s1 twice: the second row is refused
    }, "\n".join(map(str, roster.issues))
    assert [o.source_id for o in roster.orgs] == ["s1"]
