"""gradereport_user_get_grade_items (grade/report/user/classes/external/user.php): every item of
the course's grade tree with one user's grade, category totals and the course total included."""

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
        # A category's or the course's total has no category of its own (its iteminstance is
        # the category it totals).
        "categoryid": row["categoryid"] if row["itemtype"] in ("mod", "manual") else None,
        "outcomeid": None,
        # Moodle's report fills scaleid from outcomeid (grade/report/user, to this day).
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
        leaves = [i for i in items if i["itemtype"] in ("mod", "manual")]
        graded = [grades.get((i["id"], u["id"])) for i in leaves]
        for item in items:
            grade = grades.get((item["id"], u["id"]))
            raw = grade["finalgrade"] if grade else None
            if item["itemtype"] in ("course", "category"):
                # Natural aggregation: a total is the sum of the graded items under it.
                scores = [
                    g["finalgrade"]
                    for i, g in zip(leaves, graded, strict=True)
                    if g
                    and g["finalgrade"] is not None
                    and (item["itemtype"] == "course" or i["categoryid"] == item["iteminstance"])
                ]
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
