"""gradereport_user_get_grade_items (grade/report/user/classes/external/user.php) and the
control-side helper that records a grade, since the emulator has no activities to grade in."""

from __future__ import annotations

import sqlite3
from typing import Any

from sandbox.moodle import store
from sandbox.moodle.errors import MissingRecord
from sandbox.moodle.functions.base import ExternalFunction, Site, placeholders
from sandbox.moodle.params import DEFAULT, Single, Value


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _item(row: sqlite3.Row, grade: sqlite3.Row | None, raw: float | None) -> dict[str, Any]:
    grademin, grademax = row["grademin"], row["grademax"]
    percent = (
        None
        if raw is None or grademax == grademin
        else (raw - grademin) / (grademax - grademin) * 100
    )
    is_mod = row["itemtype"] == "mod"
    item: dict[str, Any] = {
        "id": row["id"],
        "itemname": row["itemname"],
        "itemtype": row["itemtype"],
        "itemmodule": row["itemmodule"],
        "iteminstance": row["iteminstance"],
        "itemnumber": row["itemnumber"],
        "idnumber": row["idnumber"] or "",
        "categoryid": None,
        "outcomeid": None,
        "scaleid": None,
        "locked": False,
    }
    if is_mod:
        item["cmid"] = row["iteminstance"]
    item.update(
        {
            "weightraw": 0,
            "weightformatted": "-",
            "graderaw": raw,
            "gradedatesubmitted": None,
            "gradedategraded": grade["timemodified"] if grade else None,
            "gradehiddenbydate": False,
            "gradeneedsupdate": False,
            "gradeishidden": False,
            "gradeislocked": False,
            "gradeisoverridden": False,
            "gradeformatted": _fmt(raw),
            "grademin": grademin,
            "grademax": grademax,
            "rangeformatted": f"{grademin:.2f}&ndash;{grademax:.2f}",
            "percentageformatted": "-" if percent is None else f"{percent:.2f} %",
            "feedback": (grade["feedback"] or "") if grade else "",
            "feedbackformat": 0,
        }
    )
    return item


def get_grade_items(site: Site, params: dict[str, Any]) -> dict[str, Any]:
    conn = site.conn
    courseid, userid = params["courseid"], params["userid"]
    course = conn.execute("SELECT * FROM course WHERE id = ?", (courseid,)).fetchone()
    if course is None:
        raise MissingRecord("course", "SELECT * FROM {course} WHERE id = ?", [courseid])
    if userid:
        if not conn.execute(
            "SELECT 1 FROM user WHERE id = ? AND deleted = 0", (userid,)
        ).fetchone():
            raise MissingRecord(
                "user", "SELECT * FROM {user} WHERE id = ? AND deleted = ?", [userid, 0]
            )
        users = conn.execute("SELECT * FROM user WHERE id = ?", (userid,)).fetchall()
    else:
        # Everyone with a gradebook role (student) in the course.
        users = conn.execute(
            "SELECT u.* FROM user u JOIN role_assignments ra ON ra.userid = u.id"
            " WHERE ra.courseid = ? AND ra.roleid = 5 AND u.deleted = 0 ORDER BY u.id",
            (courseid,),
        ).fetchall()
    items = conn.execute(
        "SELECT * FROM grade_items WHERE courseid = ? ORDER BY itemtype = 'course', sortorder, id",
        (courseid,),
    ).fetchall()
    item_ids = [i["id"] for i in items]
    grades: dict[tuple[int, int], sqlite3.Row] = {}
    user_ids = [u["id"] for u in users]
    for part in store.chunks(user_ids):
        for g in conn.execute(
            f"SELECT * FROM grade_grades WHERE userid IN ({placeholders(part)})"  # noqa: S608
            f" AND itemid IN ({placeholders(item_ids)})",
            (*part, *item_ids),
        ):
            grades[(g["itemid"], g["userid"])] = g
    usergrades = []
    for u in users:
        gradeitems = []
        graded = [grades.get((i["id"], u["id"])) for i in items if i["itemtype"] != "course"]
        for item in items:
            grade = grades.get((item["id"], u["id"]))
            raw = grade["finalgrade"] if grade else None
            if item["itemtype"] == "course":
                # Natural aggregation: the course total is the sum of the graded items.
                scores = [g["finalgrade"] for g in graded if g and g["finalgrade"] is not None]
                raw = sum(scores) if scores else None
            gradeitems.append(_item(item, grade, raw))
        usergrades.append(
            {
                "courseid": courseid,
                "courseidnumber": course["idnumber"],
                "userid": u["id"],
                "userfullname": f"{u['firstname']} {u['lastname']}",
                "useridnumber": u["idnumber"],
                "maxdepth": 2,
                "gradeitems": gradeitems,
            }
        )
    return {"usergrades": usergrades, "warnings": []}


def record_grade(
    conn: sqlite3.Connection,
    *,
    courseid: int,
    userid: int,
    itemname: str,
    grade: float | None,
    grademax: float = 100.0,
    itemmodule: str = "assign",
    feedback: str | None = None,
) -> int:
    """Create the activity's grade item if needed and set one user's grade; the item's id."""
    t = store.now()
    with store.transaction(conn):
        row = conn.execute(
            "SELECT id FROM grade_items WHERE courseid = ? AND itemname = ? AND itemtype = 'mod'",
            (courseid, itemname),
        ).fetchone()
        if row is None:
            instance = conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM grade_items").fetchone()[
                0
            ]
            cursor = conn.execute(
                "INSERT INTO grade_items (courseid, itemtype, itemmodule, iteminstance, itemnumber,"
                " itemname, grademin, grademax, sortorder, timecreated)"
                " VALUES (?, 'mod', ?, ?, 0, ?, 0, ?, ?, ?)",
                (courseid, itemmodule, instance, itemname, grademax, instance + 1, t),
            )
            itemid = int(cursor.lastrowid or 0)
            conn.execute(
                "UPDATE grade_items SET grademax = grademax + ? WHERE courseid = ?"
                " AND itemtype = 'course'",
                (grademax, courseid),
            )
        else:
            itemid = int(row[0])
        conn.execute(
            "INSERT OR REPLACE INTO grade_grades VALUES (?, ?, ?, ?, ?)",
            (itemid, userid, grade, feedback, t),
        )
    return itemid


FUNCTIONS = [
    ExternalFunction(
        "gradereport_user_get_grade_items",
        Single(
            {
                "courseid": Value("int"),
                "userid": Value("int", DEFAULT, 0),
                "groupid": Value("int", DEFAULT, 0),
            }
        ),
        get_grade_items,
    ),
]
