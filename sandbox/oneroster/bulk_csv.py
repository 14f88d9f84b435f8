"""OneRoster 1.2 CSV export: the zip a SIS drops on SFTP, served at ``GET /csv/export``.

``type=bulk`` (default): every active record, ``status``/``dateLastModified`` left blank as the
CSV binding requires for bulk files. ``type=delta&since=<ISO>``: records changed after ``since``
including ``tobedeleted`` ones, with both columns filled. ``manifest.csv`` says per file
``bulk``, ``delta`` or ``absent``. Headers and column order are the CSV binding's.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from typing import Any

from fastapi import Request, Response

from sandbox.oneroster.errors import ImsxError
from sandbox.oneroster.query import normalize_datetime
from sandbox.oneroster.runtime import Runtime

HEADERS = {
    "orgs": "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId",
    "academicSessions": "sourcedId,status,dateLastModified,title,type,startDate,endDate,"
    "parentSourcedId,schoolYear",
    "courses": "sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,grades,"
    "orgSourcedId,subjects,subjectCodes",
    "classes": "sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,"
    "classType,location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods",
    "users": "sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,"
    "familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password,"
    "userMasterIdentifier,preferredGivenName,preferredMiddleName,"
    "preferredFamilyName,primaryOrgSourcedId,pronouns",
    "roles": "sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,"
    "orgSourcedId,userProfileSourcedId",
    "enrollments": "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,"
    "userSourcedId,role,primary,beginDate,endDate",
    "demographics": "sourcedId,status,dateLastModified,birthDate,sex,americanIndianOrAlaskaNative,"
    "asian,blackOrAfricanAmerican,nativeHawaiianOrOtherPacificIslander,white,"
    "demographicRaceTwoOrMoreRaces,hispanicOrLatinoEthnicity,countryOfBirthCode,"
    "stateOfBirthAbbreviation,cityOfBirth,publicSchoolResidenceStatus",
}
# Every file the 1.2 manifest lists; the ones we never export are "absent".
MANIFEST_FILES = [
    "academicSessions",
    "categories",
    "classes",
    "classResources",
    "courses",
    "courseResources",
    "demographics",
    "enrollments",
    "lineItemLearningObjectiveIds",
    "lineItems",
    "lineItemScoreScales",
    "orgs",
    "resources",
    "resultLearningObjectiveIds",
    "results",
    "resultScoreScales",
    "roles",
    "scoreScales",
    "userProfiles",
    "userResources",
    "users",
]


def _sid(ref: dict[str, Any] | None) -> str:
    return str(ref["sourcedId"]) if ref else ""


def _many(values: list[Any] | None) -> str:
    return ",".join(str(v) for v in values or [])


def _flag(value: Any) -> str:
    """1.2 JSON already spells booleans "true"/"false"; JSON booleans are tolerated too."""
    if value is None or value in ("true", "false"):
        return value or ""
    return "true" if value else "false"


def _org(r: dict[str, Any]) -> list[str]:
    return [r["name"], r["type"], r.get("identifier", ""), _sid(r.get("parent"))]


def _session(r: dict[str, Any]) -> list[str]:
    return [
        r["title"],
        r["type"],
        r["startDate"],
        r["endDate"],
        _sid(r.get("parent")),
        r["schoolYear"],
    ]


def _course(r: dict[str, Any]) -> list[str]:
    return [
        _sid(r.get("schoolYear")),
        r["title"],
        r.get("courseCode", ""),
        _many(r.get("grades")),
        _sid(r["org"]),
        _many(r.get("subjects")),
        _many(r.get("subjectCodes")),
    ]


def _class(r: dict[str, Any]) -> list[str]:
    terms = ",".join(_sid(t) for t in r.get("terms", []))
    return [
        r["title"],
        _many(r.get("grades")),
        _sid(r["course"]),
        r.get("classCode", ""),
        r.get("classType", ""),
        r.get("location", ""),
        _sid(r["school"]),
        terms,
        _many(r.get("subjects")),
        _many(r.get("subjectCodes")),
        _many(r.get("periods")),
    ]


def _user(r: dict[str, Any]) -> list[str]:
    ids = ",".join(f"{{{i['type']}:{i['identifier']}}}" for i in r.get("userIds", []))
    return [
        _flag(r.get("enabledUser", "true")),
        r["username"],
        ids,
        r["givenName"],
        r["familyName"],
        r.get("middleName", ""),
        r.get("identifier", ""),
        r.get("email", ""),
        r.get("sms", ""),
        r.get("phone", ""),
        ",".join(_sid(a) for a in r.get("agents", [])),
        _many(r.get("grades")),
        "",
        r.get("userMasterIdentifier", ""),
        r.get("preferredFirstName", ""),
        r.get("preferredMiddleName", ""),
        r.get("preferredLastName", ""),
        _sid(r.get("primaryOrg")),
        r.get("pronouns", ""),
    ]


def _demographics(r: dict[str, Any]) -> list[str]:
    flags = [
        "americanIndianOrAlaskaNative",
        "asian",
        "blackOrAfricanAmerican",
        "nativeHawaiianOrOtherPacificIslander",
        "white",
        "demographicRaceTwoOrMoreRaces",
        "hispanicOrLatinoEthnicity",
    ]
    return [
        r.get("birthDate", ""),
        r.get("sex", ""),
        *(_flag(r.get(f)) for f in flags),
        r.get("countryOfBirthCode", ""),
        r.get("stateOfBirthAbbreviation", ""),
        r.get("cityOfBirth", ""),
        r.get("publicSchoolResidenceStatus", ""),
    ]


JSON_FILES: dict[str, Callable[[dict[str, Any]], list[str]]] = {
    "orgs": _org,
    "academicSessions": _session,
    "courses": _course,
    "classes": _class,
    "users": _user,
    "demographics": _demographics,
}


def _rows(rt: Runtime, name: str, since: str | None) -> Iterator[list[str]]:
    where, params = ("dateLastModified > ?", [since]) if since else ("status = 'active'", [])
    conn = rt.conn()

    def head(sid: str, status: str, modified: str) -> list[str]:
        return [sid, status, modified] if since else [sid, "", ""]

    if name == "enrollments":
        sql = (
            "SELECT sourcedId, status, dateLastModified, class_id, school_id, user_id, role, "  # noqa: S608
            f"is_primary, begin_date, end_date FROM enrollments WHERE {where} ORDER BY sourcedId"
        )
        for row in conn.execute(sql, params):
            yield [*head(*row[:3]), *row[3:]]
    elif name == "roles":
        sql = (
            "SELECT sourcedId, status, dateLastModified, role, org_id FROM users "  # noqa: S608
            f"WHERE {where} ORDER BY sourcedId"
        )
        for sid, status, modified, role, org in conn.execute(sql, params):
            yield [*head(f"{sid}-role-1", status, modified), sid, "primary", role, "", "", org, ""]
    else:
        sql = f"SELECT json FROM {name} WHERE {where} ORDER BY sourcedId"  # noqa: S608
        convert = JSON_FILES[name]
        for (text,) in conn.execute(sql, params):
            record = json.loads(text)
            yield [
                *head(record["sourcedId"], record["status"], record["dateLastModified"]),
                *convert(record),
            ]


def build_zip(rt: Runtime, since: str | None) -> bytes:
    mode = "delta" if since else "bulk"
    buffer = io.BytesIO()
    present: set[str] = set()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, header in HEADERS.items():
            text = io.StringIO()
            writer = csv.writer(text, lineterminator="\r\n")
            writer.writerow(header.split(","))
            count = 0
            for row in _rows(rt, name, since):
                writer.writerow(row)
                count += 1
            if count or mode == "bulk":
                archive.writestr(f"{name}.csv", text.getvalue())
                present.add(name)
        manifest = io.StringIO()
        writer = csv.writer(manifest, lineterminator="\r\n")
        writer.writerows(
            [["propertyName", "value"], ["manifest.version", "1.0"], ["oneroster.version", "1.2"]]
        )
        for name in MANIFEST_FILES:
            writer.writerow([f"file.{name}", mode if name in present else "absent"])
        writer.writerows(
            [
                ["source.systemName", "Atrium Sandbox SIS"],
                ["source.systemCode", f"sandbox-{rt.ctx.seed}-{rt.ctx.size}"],
            ]
        )
        archive.writestr("manifest.csv", manifest.getvalue())
    return buffer.getvalue()


def export(request: Request, rt: Runtime) -> Response:
    kind = request.query_params.get("type", "bulk")
    since = request.query_params.get("since")
    if kind not in ("bulk", "delta"):
        raise ImsxError(400, "invaliddata", f"type must be bulk or delta, not {kind!r}")
    if kind == "delta" and not since:
        raise ImsxError(400, "invaliddata", "a delta export needs since=<ISO 8601 datetime>")
    stamp = normalize_datetime(since, "since") if kind == "delta" and since else None
    body = build_zip(rt, stamp)
    filename = f"oneroster-{kind}.zip"
    return Response(
        body,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
