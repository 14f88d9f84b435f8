"""The emulated Moodle site's tables (a trimmed copy of Moodle's own) and its first-start seed."""

from __future__ import annotations

import sqlite3
import time

SCHEMA = """
CREATE TABLE IF NOT EXISTS config (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS user (
    id INTEGER PRIMARY KEY,
    auth TEXT NOT NULL DEFAULT 'manual', confirmed INTEGER NOT NULL DEFAULT 1,
    deleted INTEGER NOT NULL DEFAULT 0, suspended INTEGER NOT NULL DEFAULT 0,
    username TEXT NOT NULL UNIQUE,
    password TEXT NOT NULL DEFAULT '', idnumber TEXT NOT NULL DEFAULT '',
    firstname TEXT NOT NULL, lastname TEXT NOT NULL, email TEXT NOT NULL,
    middlename TEXT NOT NULL DEFAULT '', alternatename TEXT NOT NULL DEFAULT '',
    institution TEXT NOT NULL DEFAULT '', department TEXT NOT NULL DEFAULT '',
    phone1 TEXT NOT NULL DEFAULT '',
    phone2 TEXT NOT NULL DEFAULT '', address TEXT NOT NULL DEFAULT '',
    city TEXT NOT NULL DEFAULT '',
    country TEXT NOT NULL DEFAULT '', lang TEXT NOT NULL DEFAULT 'en',
    theme TEXT NOT NULL DEFAULT '', timezone TEXT NOT NULL DEFAULT '99',
    calendartype TEXT NOT NULL DEFAULT 'gregorian', mailformat INTEGER NOT NULL DEFAULT 1,
    description TEXT NOT NULL DEFAULT '', firstaccess INTEGER NOT NULL DEFAULT 0,
    lastaccess INTEGER NOT NULL DEFAULT 0,
    timecreated INTEGER NOT NULL, timemodified INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS user_email ON user (email COLLATE NOCASE);
CREATE INDEX IF NOT EXISTS user_idnumber ON user (idnumber);
CREATE TABLE IF NOT EXISTS user_info_data (
    userid INTEGER NOT NULL, shortname TEXT NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (userid, shortname)
);
CREATE TABLE IF NOT EXISTS user_preferences (
    userid INTEGER NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (userid, name)
);
CREATE TABLE IF NOT EXISTS course_categories (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, idnumber TEXT, parent INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS course (
    id INTEGER PRIMARY KEY, category INTEGER NOT NULL, fullname TEXT NOT NULL,
    shortname TEXT NOT NULL UNIQUE,
    idnumber TEXT NOT NULL DEFAULT '', summary TEXT NOT NULL DEFAULT '',
    summaryformat INTEGER NOT NULL DEFAULT 1, format TEXT NOT NULL DEFAULT 'topics',
    showgrades INTEGER NOT NULL DEFAULT 1, newsitems INTEGER NOT NULL DEFAULT 5,
    startdate INTEGER NOT NULL DEFAULT 0, enddate INTEGER NOT NULL DEFAULT 0,
    visible INTEGER NOT NULL DEFAULT 1, lang TEXT NOT NULL DEFAULT '',
    enablecompletion INTEGER NOT NULL DEFAULT 1, groupmode INTEGER NOT NULL DEFAULT 0,
    groupmodeforce INTEGER NOT NULL DEFAULT 0, maxbytes INTEGER NOT NULL DEFAULT 0,
    showreports INTEGER NOT NULL DEFAULT 0,
    timecreated INTEGER NOT NULL, timemodified INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS course_idnumber ON course (idnumber);
CREATE TABLE IF NOT EXISTS enrol (
    id INTEGER PRIMARY KEY, courseid INTEGER NOT NULL, enrol TEXT NOT NULL,
    status INTEGER NOT NULL DEFAULT 0, roleid INTEGER NOT NULL DEFAULT 5
);
CREATE INDEX IF NOT EXISTS enrol_course ON enrol (courseid, enrol);
CREATE TABLE IF NOT EXISTS user_enrolments (
    enrolid INTEGER NOT NULL, userid INTEGER NOT NULL, status INTEGER NOT NULL DEFAULT 0,
    timestart INTEGER NOT NULL DEFAULT 0, timeend INTEGER NOT NULL DEFAULT 0,
    timecreated INTEGER NOT NULL, timemodified INTEGER NOT NULL, PRIMARY KEY (enrolid, userid)
);
CREATE INDEX IF NOT EXISTS ue_user ON user_enrolments (userid);
CREATE TABLE IF NOT EXISTS role_assignments (
    roleid INTEGER NOT NULL, courseid INTEGER NOT NULL, userid INTEGER NOT NULL,
    timemodified INTEGER NOT NULL, PRIMARY KEY (courseid, userid, roleid)
);
CREATE TABLE IF NOT EXISTS grade_items (
    id INTEGER PRIMARY KEY, courseid INTEGER NOT NULL, itemtype TEXT NOT NULL, itemmodule TEXT,
    iteminstance INTEGER, itemnumber INTEGER, itemname TEXT, idnumber TEXT,
    grademin REAL NOT NULL DEFAULT 0, grademax REAL NOT NULL DEFAULT 100,
    sortorder INTEGER NOT NULL, timecreated INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS gi_course ON grade_items (courseid);
CREATE TABLE IF NOT EXISTS grade_categories (
    id INTEGER PRIMARY KEY, courseid INTEGER NOT NULL, parent INTEGER, fullname TEXT NOT NULL,
    timecreated INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS gc_course ON grade_categories (courseid);
CREATE TABLE IF NOT EXISTS grade_grades (
    itemid INTEGER NOT NULL, userid INTEGER NOT NULL, finalgrade REAL, feedback TEXT,
    timemodified INTEGER NOT NULL, PRIMARY KEY (itemid, userid)
);
"""

# Moodle's standard roles (mdl_role after install); 1,3,4,5 are assignable in a course.
ROLES: dict[int, tuple[str, str]] = {
    1: ("manager", "Manager"),
    2: ("coursecreator", "Course creator"),
    3: ("editingteacher", "Teacher"),
    4: ("teacher", "Non-editing teacher"),
    5: ("student", "Student"),
    6: ("guest", "Guest"),
    7: ("user", "Authenticated user"),
    8: ("frontpage", "Authenticated user on site home"),
}
COURSE_ASSIGNABLE_ROLES = {1, 3, 4, 5}
SITEID = 1
ADMIN_ID = 2
GUEST_ID = 1


def now() -> int:
    return int(time.time())


def init(conn: sqlite3.Connection) -> None:
    """Create tables and, on the very first start only, a fresh Moodle install's records."""
    conn.executescript(SCHEMA)
    # Added after the first release: a state folder from before gets the column here.
    if "categoryid" not in {row[1] for row in conn.execute("PRAGMA table_info(grade_items)")}:
        conn.execute("ALTER TABLE grade_items ADD COLUMN categoryid INTEGER")
    if conn.execute("SELECT 1 FROM config WHERE name = 'seeded'").fetchone():
        return
    t = now()
    with transaction(conn):
        conn.execute(
            "INSERT INTO user (id, username, firstname, lastname, email, auth, timecreated,"
            " timemodified)"
            " VALUES (?, 'guest', 'Guest user', ' ', 'root@localhost', 'manual', ?, ?)",
            (GUEST_ID, t, t),
        )
        conn.execute(
            "INSERT INTO user (id, username, firstname, lastname, email, auth, timecreated,"
            " timemodified) VALUES (?, 'admin', 'Admin', 'User', 'admin@sandbox.invalid',"
            " 'manual', ?, ?)",
            (ADMIN_ID, t, t),
        )
        conn.execute("INSERT INTO course_categories (id, name) VALUES (1, 'Category 1')")
        conn.execute(
            "INSERT INTO course (id, category, fullname, shortname, format, timecreated,"
            " timemodified) VALUES (?, 0, 'Atrium Sandbox Moodle', 'sandbox', 'site', ?, ?)",
            (SITEID, t, t),
        )
        conn.execute("INSERT INTO config (name, value) VALUES ('seeded', ?)", (str(t),))


class transaction:  # noqa: N801 - reads like the `with` statement it is used in
    """BEGIN IMMEDIATE .. COMMIT, or ROLLBACK on error (Moodle's delegated transaction)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self.conn.execute("ROLLBACK" if exc_type else "COMMIT")


def chunks(values: list[int] | list[str], size: int = 900) -> list[list[int] | list[str]]:
    """Split for IN (...) lists so we stay under SQLite's bound-parameter limit."""
    return [values[i : i + size] for i in range(0, len(values), size)]
