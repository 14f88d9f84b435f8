"""The course grade tree as Moodle keeps it: every course has a top grade category (its
``fullname`` is ``?`` and its name is the course's), sub-categories each with a ``category``
grade item holding their total, and activity grade items filed in one category."""

from __future__ import annotations

import sqlite3

from sandbox.moodle import store

# A category's total comes after the items it sums (Moodle's "aggregation last" tree order).
_CATEGORY_SORTORDER = 1_000_000


def course_category(conn: sqlite3.Connection, courseid: int) -> int:
    """The course's top category (made on first use, as grade_category::fetch_course_category)."""
    row = conn.execute(
        "SELECT id FROM grade_categories WHERE courseid = ? AND parent IS NULL", (courseid,)
    ).fetchone()
    if row is not None:
        return int(row[0])
    cursor = conn.execute(
        "INSERT INTO grade_categories (courseid, parent, fullname, timecreated)"
        " VALUES (?, NULL, '?', ?)",
        (courseid, store.now()),
    )
    top = int(cursor.lastrowid or 0)
    # The course total's iteminstance is its category; items without one belong to it.
    conn.execute(
        "UPDATE grade_items SET iteminstance = ? WHERE courseid = ? AND itemtype = 'course'",
        (top, courseid),
    )
    conn.execute(
        "UPDATE grade_items SET categoryid = ? WHERE courseid = ? AND itemtype IN ('mod',"
        " 'manual') AND categoryid IS NULL",
        (top, courseid),
    )
    return top


def named_category(conn: sqlite3.Connection, courseid: int, fullname: str) -> int:
    """A sub-category of the course's top one, with its total grade item."""
    top = course_category(conn, courseid)
    row = conn.execute(
        "SELECT id FROM grade_categories WHERE courseid = ? AND parent = ? AND fullname = ?",
        (courseid, top, fullname),
    ).fetchone()
    if row is not None:
        return int(row[0])
    t = store.now()
    cursor = conn.execute(
        "INSERT INTO grade_categories (courseid, parent, fullname, timecreated)"
        " VALUES (?, ?, ?, ?)",
        (courseid, top, fullname, t),
    )
    category = int(cursor.lastrowid or 0)
    conn.execute(
        "INSERT INTO grade_items (courseid, itemtype, iteminstance, itemname, grademin, grademax,"
        " sortorder, timecreated) VALUES (?, 'category', ?, NULL, 0, 0, ?, ?)",
        (courseid, category, _CATEGORY_SORTORDER + category, t),
    )
    return category


def category_name(conn: sqlite3.Connection, categoryid: int | None) -> str | None:
    """grade_category::get_name(): the course's full name for the top category."""
    if categoryid is None:
        return None
    row = conn.execute(
        "SELECT gc.fullname, gc.parent, c.fullname AS coursename FROM grade_categories gc"
        " JOIN course c ON c.id = gc.courseid WHERE gc.id = ?",
        (categoryid,),
    ).fetchone()
    if row is None:
        return None
    return str(row["coursename"] if row["parent"] is None else row["fullname"])


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
    category: str | None = None,
) -> int:
    """Create the activity's grade item if needed (in ``category`` when given, else the
    course's top category) and set one user's grade; the item's id."""
    t = store.now()
    with store.transaction(conn):
        row = conn.execute(
            "SELECT id FROM grade_items WHERE courseid = ? AND itemname = ? AND itemtype = 'mod'",
            (courseid, itemname),
        ).fetchone()
        if row is None:
            parent = (
                named_category(conn, courseid, category)
                if category
                else course_category(conn, courseid)
            )
            instance = conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM grade_items").fetchone()[
                0
            ]
            cursor = conn.execute(
                "INSERT INTO grade_items (courseid, itemtype, itemmodule, iteminstance, itemnumber,"
                " itemname, grademin, grademax, sortorder, timecreated, categoryid)"
                " VALUES (?, 'mod', ?, ?, 0, ?, 0, ?, ?, ?, ?)",
                (courseid, itemmodule, instance, itemname, grademax, instance + 1, t, parent),
            )
            itemid = int(cursor.lastrowid or 0)
            # Natural aggregation: a total's range is the sum of its items' ranges.
            conn.execute(
                "UPDATE grade_items SET grademax = grademax + ? WHERE courseid = ?"
                " AND (itemtype = 'course' OR (itemtype = 'category' AND iteminstance = ?))",
                (grademax, courseid, parent),
            )
        else:
            itemid = int(row[0])
        conn.execute(
            "INSERT OR REPLACE INTO grade_grades VALUES (?, ?, ?, ?, ?)",
            (itemid, userid, grade, feedback, t),
        )
    return itemid
