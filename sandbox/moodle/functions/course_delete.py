"""core_course_delete_courses (course/externallib.php): an unknown course is a warning, not an
error; a deleted course takes its enrolments, role assignments and gradebook with it."""

from __future__ import annotations

from typing import Any

from sandbox.moodle import store
from sandbox.moodle.errors import MoodleException
from sandbox.moodle.functions.base import ExternalFunction, Site
from sandbox.moodle.params import Multiple, Single, Value


def delete_courses(site: Site, params: dict[str, Any]) -> dict[str, Any]:
    conn, warnings = site.conn, []
    with store.transaction(conn):
        for courseid in params["courseids"]:
            if courseid == store.SITEID:
                raise MoodleException("cannotdeletesitecourse", "Can not delete the site course")
            if not conn.execute("SELECT 1 FROM course WHERE id = ?", (courseid,)).fetchone():
                warnings.append(
                    {
                        "item": "course",
                        "itemid": courseid,
                        "warningcode": "unknowncourseidnumber",
                        "message": f"Unknown course ID {courseid}",
                    }
                )
                continue
            conn.execute(
                "DELETE FROM user_enrolments WHERE enrolid IN"
                " (SELECT id FROM enrol WHERE courseid = ?)",
                (courseid,),
            )
            conn.execute(
                "DELETE FROM grade_grades WHERE itemid IN"
                " (SELECT id FROM grade_items WHERE courseid = ?)",
                (courseid,),
            )
            for table in ("enrol", "role_assignments", "grade_items", "grade_categories"):
                conn.execute(f"DELETE FROM {table} WHERE courseid = ?", (courseid,))  # noqa: S608
            conn.execute("DELETE FROM course WHERE id = ?", (courseid,))
    return {"warnings": warnings}


FUNCTIONS = [
    ExternalFunction(
        "core_course_delete_courses",
        Single({"courseids": Multiple(Value("int"))}),
        delete_courses,
    ),
]
