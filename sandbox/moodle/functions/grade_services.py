"""core_grades_get_gradeitems (grade/classes/external/get_gradeitems.php, Moodle 4.2+) and
core_grades_update_grades (grade/externallib.php, Moodle 2.7+)."""

from __future__ import annotations

from typing import Any

from sandbox.moodle import store
from sandbox.moodle.errors import MissingRecord, MoodleException
from sandbox.moodle.functions.base import ExternalFunction, Site
from sandbox.moodle.functions.grade_tree import category_name, course_category
from sandbox.moodle.params import DEFAULT, OPTIONAL, Multiple, Single, Value

GRADE_UPDATE_OK, GRADE_UPDATE_FAILED = 0, 1


def _course(site: Site, courseid: int) -> None:
    if not site.conn.execute("SELECT 1 FROM course WHERE id = ?", (courseid,)).fetchone():
        raise MissingRecord("course", "SELECT * FROM {course} WHERE id = ?", [courseid])


def get_gradeitems(site: Site, params: dict[str, Any]) -> dict[str, Any]:
    """The gradable items (not category or course totals) with their category's name."""
    courseid = params["courseid"]
    _course(site, courseid)
    with store.transaction(site.conn):
        course_category(site.conn, courseid)  # fetch_course_category() makes it if missing
    items = site.conn.execute(
        "SELECT * FROM grade_items WHERE courseid = ? AND itemtype IN ('mod', 'manual')"
        " ORDER BY sortorder, id",
        (courseid,),
    ).fetchall()
    return {
        # The id is declared PARAM_ALPHANUM, so Moodle's return cleaning makes it a string.
        "gradeItems": [
            {
                "id": str(i["id"]),
                "itemname": i["itemname"] or "",
                "category": category_name(site.conn, i["categoryid"]),
            }
            for i in items
        ],
        "warnings": [],
    }


def update_grades(site: Site, params: dict[str, Any]) -> int:
    """Set students' raw grades on an activity's grade item (``activityid`` is the course
    module id); answers GRADE_UPDATE_OK, or GRADE_UPDATE_FAILED when a student is unknown."""
    conn, courseid = site.conn, params["courseid"]
    component: str = params["component"]
    module = component.removeprefix("mod_")
    item = conn.execute(
        "SELECT * FROM grade_items WHERE courseid = ? AND itemtype = 'mod' AND itemmodule = ?"
        " AND iteminstance = ? AND itemnumber = ?",
        (courseid, module, params["activityid"], params["itemnumber"]),
    ).fetchone()
    if not component.startswith("mod_") or item is None:
        raise MoodleException("invalidcoursemodule", "Invalid course module ID")
    _course(site, courseid)
    grades: list[dict[str, Any]] = params["grades"]
    known = {
        r[0]
        for r in conn.execute(
            "SELECT id FROM user WHERE deleted = 0 AND id IN"  # noqa: S608
            f" ({','.join('?' * len(grades))})",
            [g["studentid"] for g in grades],
        )
    }
    if any(g["studentid"] not in known for g in grades):
        return GRADE_UPDATE_FAILED
    t = store.now()
    with store.transaction(conn):
        for grade in grades:
            conn.execute(
                "INSERT INTO grade_grades (itemid, userid, finalgrade, feedback, timemodified)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (itemid, userid) DO UPDATE SET"
                " finalgrade = excluded.finalgrade, timemodified = excluded.timemodified,"
                " feedback = COALESCE(excluded.feedback, feedback)",
                (item["id"], grade["studentid"], grade["grade"], grade.get("str_feedback"), t),
            )
    return GRADE_UPDATE_OK


FUNCTIONS = [
    ExternalFunction(
        "core_grades_get_gradeitems", Single({"courseid": Value("int")}), get_gradeitems
    ),
    ExternalFunction(
        "core_grades_update_grades",
        Single(
            {
                "source": Value("text"),
                "courseid": Value("int"),
                "component": Value("plugin"),  # PARAM_COMPONENT: mod_assign, mod_quiz, ...
                "activityid": Value("int"),
                "itemnumber": Value("int"),
                "grades": Multiple(
                    Single(
                        {
                            "studentid": Value("int"),
                            "grade": Value("float"),
                            "str_feedback": Value("text", OPTIONAL),
                        }
                    ),
                    DEFAULT,
                    [],
                ),
            }
        ),
        update_grades,
    ),
]
