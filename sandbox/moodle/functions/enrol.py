"""enrol_manual_enrol_users / enrol_manual_unenrol_users (enrol/manual/externallib.php) and
core_enrol_get_enrolled_users (enrol/externallib.php)."""

from __future__ import annotations

from typing import Any

from sandbox.moodle import store
from sandbox.moodle.errors import (
    CodingError,
    InvalidParameter,
    MissingRecord,
    MoodleException,
    course_context_error,
)
from sandbox.moodle.functions.base import ExternalFunction, Site, placeholders
from sandbox.moodle.functions.user_details import load_extras, user_details
from sandbox.moodle.params import DEFAULT, OPTIONAL, Multiple, Single, Value

ENROL_USER_ACTIVE, ENROL_USER_SUSPENDED = 0, 1


def _no_instance() -> MoodleException:
    # Moodle passes the params as the $link argument, so {$a->courseid} is never filled in.
    return MoodleException(
        "wsnoinstance",
        "Manual enrolment plugin instance doesn't exist or is disabled for the course "
        "(id = {$a->courseid})",
    )


def _manual_instances(site: Site, courseids: list[int]) -> dict[int, int]:
    """courseid -> id of its enabled manual enrolment instance, for many courses at once."""
    found: dict[int, int] = {}
    for part in store.chunks(courseids):
        for r in site.conn.execute(
            f"SELECT courseid, id FROM enrol WHERE enrol = 'manual' AND status = 0"  # noqa: S608
            f" AND courseid IN ({placeholders(part)})",
            part,
        ):
            found[r[0]] = r[1]
    return found


def _existing(site: Site, table: str, ids: list[int]) -> set[int]:
    found: set[int] = set()
    for part in store.chunks(ids):
        extra = " AND deleted = 0" if table == "user" else ""
        found |= {
            r[0]
            for r in site.conn.execute(
                f"SELECT id FROM {table} WHERE id IN ({placeholders(part)}){extra}",  # noqa: S608
                part,
            )
        }
    return found


def enrol_users(site: Site, params: dict[str, Any]) -> None:
    enrolments: list[dict[str, Any]] = params["enrolments"]
    courseids = sorted({e["courseid"] for e in enrolments})
    courses = _existing(site, "course", courseids)
    instances = _manual_instances(site, courseids)
    users = _existing(site, "user", sorted({e["userid"] for e in enrolments}))
    # Checks in Moodle's order, before anything is written: one bad row fails the whole call.
    for e in enrolments:
        if e["courseid"] not in courses:
            raise InvalidParameter("Context does not exist")
        if e["roleid"] not in store.COURSE_ASSIGNABLE_ROLES:
            raise MoodleException(
                "wsusercannotassign",
                f"You don't have the permission to assign this role ({e['roleid']}) to this "
                f"user ({e['userid']}) in this course ({e['courseid']}).",
            )
        if e["courseid"] not in instances:
            raise _no_instance()
        if e["userid"] not in users:
            raise CodingError("User ID does not exist or is deleted!", f"userid:{e['userid']}")
    t = store.now()
    ue_rows = [
        (
            instances[e["courseid"]],
            e["userid"],
            ENROL_USER_SUSPENDED if e.get("suspend") else ENROL_USER_ACTIVE,
            e.get("timestart", 0),
            e.get("timeend", 0),
            t,
            t,
        )
        for e in enrolments
    ]
    ra_rows = [(e["roleid"], e["courseid"], e["userid"], t) for e in enrolments]
    with store.transaction(site.conn) as conn:
        conn.executemany(
            "INSERT INTO user_enrolments (enrolid, userid, status, timestart, timeend,"
            " timecreated, timemodified) VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (enrolid, userid) DO UPDATE SET status = excluded.status,"
            " timestart = excluded.timestart, timeend = excluded.timeend,"
            " timemodified = excluded.timemodified",
            ue_rows,
        )
        conn.executemany("INSERT OR IGNORE INTO role_assignments VALUES (?, ?, ?, ?)", ra_rows)


def unenrol_users(site: Site, params: dict[str, Any]) -> None:
    enrolments: list[dict[str, Any]] = params["enrolments"]
    courseids = sorted({e["courseid"] for e in enrolments})
    courses = _existing(site, "course", courseids)
    instances = _manual_instances(site, courseids)
    users = _existing(site, "user", sorted({e["userid"] for e in enrolments}))
    for e in enrolments:
        if e["courseid"] not in courses:
            raise MissingRecord(
                "course", "SELECT id,category FROM {course} WHERE id = ?", [e["courseid"]]
            )
        if e["courseid"] not in instances:
            raise _no_instance()
        if e["userid"] not in users:
            raise InvalidParameter(f"User id not exist: {e['userid']}")
    ue_rows = [(instances[e["courseid"]], e["userid"]) for e in enrolments]
    ra_rows = [(e["courseid"], e["userid"]) for e in enrolments]
    with store.transaction(site.conn) as conn:
        conn.executemany("DELETE FROM user_enrolments WHERE enrolid = ? AND userid = ?", ue_rows)
        conn.executemany("DELETE FROM role_assignments WHERE courseid = ? AND userid = ?", ra_rows)


_OPTIONS = {
    "withcapability", "groupid", "onlyactive", "onlysuspended", "userfields",
    "limitfrom", "limitnumber", "sortby", "sortdirection",
}  # fmt: skip


def get_enrolled_users(site: Site, params: dict[str, Any]) -> list[dict[str, Any]]:
    courseid = params["courseid"]
    conn = site.conn
    course = conn.execute(
        "SELECT id, fullname, shortname FROM course WHERE id = ?", (courseid,)
    ).fetchone()
    if course is None:
        raise course_context_error(courseid, InvalidParameter.MESSAGE)
    opts: dict[str, str] = {}
    for option in params["options"]:
        if option["name"] not in _OPTIONS:
            raise MoodleException("invalidextparam", f"Invalid extra parameter: {option['name']}")
        opts[option["name"]] = option["value"]
    where = ["e.courseid = ?"]
    if opts.get("onlyactive") in ("1", "true"):
        where.append("ue.status = 0")
    if opts.get("onlysuspended") in ("1", "true"):
        where.append("ue.status = 1")
    sortby = {"firstname": "u.firstname", "lastname": "u.lastname"}.get(
        opts.get("sortby", ""), "u.id"
    )
    direction = "DESC" if opts.get("sortdirection", "").upper() == "DESC" else "ASC"
    limit = int(opts.get("limitnumber", "0") or 0) or -1
    offset = int(opts.get("limitfrom", "0") or 0)
    rows = conn.execute(
        "SELECT u.* FROM user u JOIN user_enrolments ue ON ue.userid = u.id"  # noqa: S608
        f" JOIN enrol e ON e.id = ue.enrolid WHERE {' AND '.join(where)} AND u.deleted = 0"
        f" GROUP BY u.id ORDER BY {sortby} {direction}, u.id LIMIT ? OFFSET ?",
        (courseid, limit, offset),
    ).fetchall()
    ids = [r["id"] for r in rows]
    roles: dict[int, list[dict[str, Any]]] = {}
    for part in store.chunks(ids):
        for r in conn.execute(
            f"SELECT userid, roleid FROM role_assignments WHERE courseid = ?"  # noqa: S608
            f" AND userid IN ({placeholders(part)}) ORDER BY roleid",
            (courseid, *part),
        ):
            shortname, name = store.ROLES[r["roleid"]]
            roles.setdefault(r["userid"], []).append(
                {"roleid": r["roleid"], "name": name, "shortname": shortname, "sortorder": 0}
            )
    custom, prefs = load_extras(conn, ids)
    enrolled = [
        {"id": course["id"], "fullname": course["fullname"], "shortname": course["shortname"]}
    ]
    result = []
    for r in rows:
        details = user_details(r, site.wwwroot, custom.get(r["id"]), prefs.get(r["id"]))
        details["groups"] = []
        details["roles"] = roles.get(r["id"], [])
        details["enrolledcourses"] = enrolled
        result.append(details)
    return result


_ENROLMENT = Single(
    {
        "roleid": Value("int"),
        "userid": Value("int"),
        "courseid": Value("int"),
        "timestart": Value("int", OPTIONAL),
        "timeend": Value("int", OPTIONAL),
        "suspend": Value("int", OPTIONAL),
    }
)
_UNENROLMENT = Single(
    {"userid": Value("int"), "courseid": Value("int"), "roleid": Value("int", OPTIONAL)}
)

FUNCTIONS = [
    ExternalFunction(
        "enrol_manual_enrol_users", Single({"enrolments": Multiple(_ENROLMENT)}), enrol_users
    ),
    ExternalFunction(
        "enrol_manual_unenrol_users", Single({"enrolments": Multiple(_UNENROLMENT)}), unenrol_users
    ),
    ExternalFunction(
        "core_enrol_get_enrolled_users",
        Single(
            {
                "courseid": Value("int"),
                "options": Multiple(
                    Single({"name": Value("alphanumext"), "value": Value("raw")}), DEFAULT, []
                ),
            }
        ),
        get_enrolled_users,
    ),
]
