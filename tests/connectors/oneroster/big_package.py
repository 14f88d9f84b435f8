"""Write a large OneRoster 1.2 package to a zip, row by row (the test of streaming reads it).

Run as a script it reads the package back and prints what it measured, as JSON: the reader in
a fresh process, so its peak resident memory is the reader's and not the test session's.
"""

from __future__ import annotations

import json
import resource
import sys
import time
import zipfile
from pathlib import Path

STAMP = "2026-05-01T08:00:00Z"
HEADERS = {
    "orgs": "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId",
    "academicSessions": "sourcedId,status,dateLastModified,title,type,startDate,endDate,"
    "parentSourcedId,schoolYear",
    "courses": "sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,grades,"
    "orgSourcedId,subjects,subjectCodes",
    "classes": "sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,"
    "classType,location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods",
    "roles": "sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,"
    "orgSourcedId,userProfileSourcedId",
    "users": "sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,"
    "familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password,"
    "userMasterIdentifier,preferredGivenName,preferredMiddleName,preferredFamilyName,"
    "primaryOrgSourcedId,pronouns",
    "enrollments": "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,"
    "userSourcedId,role,primary,beginDate,endDate",
}


def write(path: Path, *, users: int, enrollments: int, classes: int = 2000) -> int:
    """The package at ``path``; returns its uncompressed size in bytes."""
    rows = {
        "orgs": [f"s1,active,{STAMP},School,school,S1,"],
        "academicSessions": [f"t1,active,{STAMP},Fall,term,2026-08-17,2026-12-18,,2027"],
        "courses": [f"c1,active,{STAMP},,Course,C1,,s1,,"],
        "classes": (
            f"k{i},active,{STAMP},Class {i},,c1,K{i},scheduled,,s1,t1,,," for i in range(classes)
        ),  # noqa: E501
        "roles": (f"r{i},active,{STAMP},u{i},primary,student,,,s1," for i in range(users)),
        "users": (
            f"u{i},active,{STAMP},true,user{i},,Given{i},Family{i},,{i},user{i}@example.org,,,,09,,,,,,s1,"  # noqa: E501
            for i in range(users)
        ),
        "enrollments": (
            f"e{i},active,{STAMP},k{i % classes},s1,u{i % users},student,false,2026-08-17,"
            for i in range(enrollments)
        ),
    }
    size = 0
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        manifest = "propertyName,value\nmanifest.version,1.0\noneroster.version,1.2\n"
        manifest += "".join(f"file.{name},bulk\n" for name in HEADERS)
        archive.writestr("manifest.csv", manifest)
        for name, header in HEADERS.items():
            with archive.open(f"{name}.csv", "w") as out:
                block = [header]
                for row in rows[name]:
                    block.append(row)
                    if len(block) >= 10_000:
                        data = ("\r\n".join(block) + "\r\n").encode()
                        out.write(data)
                        size += len(data)
                        block = []
                data = ("\r\n".join(block) + "\r\n").encode() if block else b""
                out.write(data)
                size += len(data)
    return size


def _rss_kb() -> int:
    """Resident memory now (not the peak), from /proc."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() // 1024


def _peak_kb() -> int:
    """This process's peak resident memory. Not ru_maxrss: Linux carries that over execve, so a
    process started from a big test session would report the session's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


def measure(path: Path) -> dict[str, object]:
    from connectors.oneroster.csv_reader import CsvReport, iter_package

    before = _rss_kb()
    started = time.perf_counter()
    report = CsvReport()
    counts: dict[str, int] = {}
    at: dict[str, int] = {}  # resident memory when the first and the last enrollment came
    for row in iter_package(path, report):
        counts[row.file] = counts.get(row.file, 0) + 1
        if row.file == "enrollments" and counts["enrollments"] in (1, 10_000):
            at[str(counts["enrollments"])] = _rss_kb()
    return {
        "seconds": round(time.perf_counter() - started, 2),
        "rss_before_kb": before,
        "rss_at_enrollment_1_kb": at.get("1"),
        "rss_at_enrollment_10000_kb": at.get("10000"),
        "rss_end_kb": _rss_kb(),
        "rss_peak_kb": _peak_kb(),
        "rows": counts,
        "issues": report.counts.total(),
    }


if __name__ == "__main__":
    print(json.dumps(measure(Path(sys.argv[1]))))
