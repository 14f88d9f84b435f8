"""The baseline of the sync benchmark: a plain script copying the same records from the
OneRoster sandbox into the Canvas sandbox through the same SIS Import path, with no orchestration,
no mapping engine, no validation and no sync state. Whatever Atrium adds costs the difference."""

from __future__ import annotations

import asyncio
import csv
import io
import zipfile
from collections.abc import Callable
from typing import Any

import httpx

ROLES = {"student": "student", "teacher": "teacher", "aide": "ta", "administrator": "teacher"}
Row = list[str]


def _term(r: dict[str, Any]) -> Row:
    return [
        r["sourcedId"],
        r["title"],
        "active",
        f"{r['startDate']}T00:00:00Z",
        f"{r['endDate']}T23:59:59Z",
    ]


def _org(r: dict[str, Any]) -> Row:
    return [r["sourcedId"], (r.get("parent") or {}).get("sourcedId", ""), r["name"], "active"]


def _course(r: dict[str, Any]) -> Row:
    terms = r.get("terms") or [{}]
    return [
        r["sourcedId"],
        r.get("classCode") or r["title"],
        r["title"],
        r["school"]["sourcedId"],
        terms[0].get("sourcedId", ""),
        "active",
    ]


def _section(r: dict[str, Any]) -> Row:
    return [r["sourcedId"], r["sourcedId"], r["title"], "active"]


def _user(r: dict[str, Any]) -> Row:
    return [
        r["sourcedId"],
        r.get("identifier") or "",
        r["username"],
        r["givenName"],
        r["familyName"],
        "",
        r.get("email") or "",
        "active",
    ]


def _enrollment(r: dict[str, Any]) -> Row:
    klass = r["class"]["sourcedId"]
    return [klass, r["user"]["sourcedId"], ROLES.get(r["role"], "student"), klass, "active"]


FILES: dict[str, list[tuple[str, str, Callable[[dict[str, Any]], Row]]]] = {
    "orgs": [("accounts.csv", "account_id,parent_account_id,name,status", _org)],
    "academicSessions": [("terms.csv", "term_id,name,status,start_date,end_date", _term)],
    "classes": [
        ("courses.csv", "course_id,short_name,long_name,account_id,term_id,status", _course),
        ("sections.csv", "section_id,course_id,name,status", _section),
    ],
    "users": [
        (
            "users.csv",
            "user_id,integration_id,login_id,first_name,last_name,short_name,email,status",
            _user,
        )
    ],
    "enrollments": [("enrollments.csv", "course_id,user_id,role,section_id,status", _enrollment)],
}
ORDER = ("orgs", "academicSessions", "classes", "users", "enrollments")


def zip_page(kind: str, records: list[dict[str, Any]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, header, render in FILES[kind]:
            out = io.StringIO()
            out.write(header + "\n")
            csv.writer(out, lineterminator="\n").writerows(render(r) for r in records)
            archive.writestr(name, out.getvalue())
    return buffer.getvalue()


async def copy_all(
    base: str, oneroster: dict[str, str], canvas_token: str, page_size: int
) -> dict[str, int]:
    """Copy every record type in order; returns the records copied per type."""
    copied: dict[str, int] = {}
    async with httpx.AsyncClient(base_url=base, timeout=600) as http:
        token = (
            await http.post(
                "/oneroster/oauth/token",
                data={"grant_type": "client_credentials"},
                auth=(oneroster["client_id"], oneroster["client_secret"]),
            )
        ).json()["access_token"]
        sis_auth = {"Authorization": f"Bearer {token}"}
        lms_auth = {"Authorization": f"Bearer {canvas_token}"}
        for kind in ORDER:
            offset = copied[kind] = 0
            while True:
                answer = await http.get(
                    f"/oneroster/ims/oneroster/rostering/v1p2/{kind}",
                    params={"limit": page_size, "offset": offset, "sort": "sourcedId"},
                    headers=sis_auth,
                )
                answer.raise_for_status()
                records = answer.json()[kind]
                if not records:
                    break
                started = await http.post(
                    "/canvas/api/v1/accounts/self/sis_imports",
                    params={"import_type": "instructure_csv", "extension": "zip"},
                    content=zip_page(kind, records),
                    headers={**lms_auth, "Content-Type": "application/zip"},
                )
                started.raise_for_status()
                import_id = started.json()["id"]
                while True:
                    state = (
                        await http.get(
                            f"/canvas/api/v1/accounts/self/sis_imports/{import_id}",
                            headers=lms_auth,
                        )
                    ).json()
                    if state["workflow_state"] not in ("initializing", "created", "importing"):
                        break
                    await asyncio.sleep(0.1)
                copied[kind] += len(records)
                offset += len(records)
                if len(records) < page_size:
                    break
    return copied
