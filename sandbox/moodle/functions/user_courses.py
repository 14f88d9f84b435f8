"""core_enrol_get_users_courses (enrol/externallib.php): the courses a user is actively enrolled
in, as ``enrol_get_users_courses($userid, true)`` lists them (an active enrolment in an enabled
enrolment instance), ordered by course id. A user that does not exist, or was deleted, is a
missing record."""

from __future__ import annotations

from typing import Any

from sandbox.moodle.errors import MissingRecord
from sandbox.moodle.functions.base import ExternalFunction, Site
from sandbox.moodle.params import DEFAULT, Single, Value


def get_users_courses(site: Site, params: dict[str, Any]) -> list[dict[str, Any]]:
    conn, userid = site.conn, params["userid"]
    if (
        conn.execute("SELECT 1 FROM user WHERE id = ? AND deleted = 0", (userid,)).fetchone()
        is None
    ):
        raise MissingRecord(
            "user", "SELECT * FROM {user} WHERE id = ? AND deleted = ?", [userid, 0]
        )
    rows = conn.execute(
        "SELECT DISTINCT c.* FROM course c JOIN enrol e ON e.courseid = c.id"
        " JOIN user_enrolments ue ON ue.enrolid = e.id"
        " WHERE ue.userid = ? AND ue.status = 0 AND e.status = 0 ORDER BY c.id",
        (userid,),
    ).fetchall()
    courses = []
    for c in rows:
        course: dict[str, Any] = {
            "id": c["id"],
            "shortname": c["shortname"],
            "fullname": c["fullname"],
            "displayname": c["fullname"],
            "idnumber": c["idnumber"],
            "visible": c["visible"],
            "summary": c["summary"],
            "summaryformat": c["summaryformat"],
            "format": c["format"],
            "showgrades": bool(c["showgrades"]),
            "lang": c["lang"],
            "enablecompletion": bool(c["enablecompletion"]),
            "category": c["category"],
            "startdate": c["startdate"],
            "enddate": c["enddate"],
        }
        if params["returnusercount"]:
            course["enrolledusercount"] = conn.execute(
                "SELECT COUNT(DISTINCT ue.userid) FROM user_enrolments ue"
                " JOIN enrol e ON e.id = ue.enrolid JOIN user u ON u.id = ue.userid"
                " WHERE e.courseid = ? AND ue.status = 0 AND e.status = 0 AND u.deleted = 0",
                (c["id"],),
            ).fetchone()[0]
        courses.append(course)
    return courses


FUNCTIONS = [
    ExternalFunction(
        "core_enrol_get_users_courses",
        Single({"userid": Value("int"), "returnusercount": Value("bool", DEFAULT, True)}),
        get_users_courses,
    ),
]
