"""core_course_create_courses and core_course_get_courses_by_field (course/externallib.php)."""

from __future__ import annotations

import sqlite3
from typing import Any

from sandbox.moodle import store
from sandbox.moodle.errors import InvalidParameter, MoodleException, category_context_error
from sandbox.moodle.functions.base import ExternalFunction, Site, placeholders
from sandbox.moodle.params import DEFAULT, OPTIONAL, Multiple, Single, Value, clean

COURSE_COLUMNS = (
    "category", "fullname", "shortname", "idnumber", "summary", "summaryformat", "format",
    "showgrades", "newsitems", "startdate", "enddate", "visible", "lang", "enablecompletion",
    "groupmode", "groupmodeforce", "maxbytes", "showreports",
)  # fmt: skip

_COURSE = Single(
    {
        "fullname": Value("text"),
        "shortname": Value("text"),
        "categoryid": Value("int"),
        "idnumber": Value("raw", OPTIONAL),
        "summary": Value("raw", OPTIONAL),
        "summaryformat": Value("int", DEFAULT, 1),
        "format": Value("plugin", DEFAULT, "topics"),
        "showgrades": Value("int", DEFAULT, 1),
        "newsitems": Value("int", DEFAULT, 5),
        "startdate": Value("int", OPTIONAL),
        "enddate": Value("int", OPTIONAL),
        "numsections": Value("int", OPTIONAL),
        "maxbytes": Value("int", DEFAULT, 0),
        "showreports": Value("int", DEFAULT, 0),
        "visible": Value("int", OPTIONAL),
        "hiddensections": Value("int", OPTIONAL),
        "groupmode": Value("int", DEFAULT, 0),
        "groupmodeforce": Value("int", DEFAULT, 0),
        "defaultgroupingid": Value("int", DEFAULT, 0),
        "enablecompletion": Value("int", OPTIONAL),
        "completionnotify": Value("int", OPTIONAL),
        "lang": Value("safedir", OPTIONAL),
        "forcetheme": Value("plugin", OPTIONAL),
        "courseformatoptions": Multiple(
            Single({"name": Value("alphanumext"), "value": Value("raw")}), OPTIONAL
        ),
        "customfields": Multiple(
            Single({"shortname": Value("alphanumext"), "value": Value("raw")}), OPTIONAL
        ),
    }
)


def _invalid_param(name: str) -> MoodleException:
    return MoodleException("errorinvalidparam", f'The param "{name}" is invalid.')


def create_courses(site: Site, params: dict[str, Any]) -> list[dict[str, Any]]:
    conn = site.conn
    courses: list[dict[str, Any]] = params["courses"]
    categories = {r[0] for r in conn.execute("SELECT id FROM course_categories")}
    shortnames = {r[0] for r in conn.execute("SELECT shortname FROM course")}
    idnumbers = {r[0] for r in conn.execute("SELECT idnumber FROM course WHERE idnumber <> ''")}
    for course in courses:
        if course["categoryid"] not in categories:
            # context_coursecat::instance(IGNORE_MISSING) is false -> validate_context() fails.
            raise category_context_error(course["categoryid"], InvalidParameter.MESSAGE)
        for name in ("fullname", "shortname"):
            if course[name].strip() == "":
                raise _invalid_param(name)
        if "lang" in course and course["lang"] not in ("", "en"):
            raise _invalid_param("lang")
        if course["shortname"] in shortnames:
            raise MoodleException(
                "shortnametaken",
                f"Short name is already used for another course ({course['shortname']})",
            )
        if course.get("idnumber") and course["idnumber"] in idnumbers:
            raise MoodleException(
                "courseidnumbertaken",
                f"ID number is already used for another course ({course['idnumber']})",
            )
        shortnames.add(course["shortname"])
        if course.get("idnumber"):
            idnumbers.add(course["idnumber"])
    t = store.now()
    midnight = t - t % 86400
    with store.transaction(conn):
        first = conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM course").fetchone()[0]
        rows, enrols, items = [], [], []
        for offset, course in enumerate(courses):
            cid = first + offset
            course["id"] = cid
            values = {
                "category": course["categoryid"],
                "startdate": course.get("startdate", midnight),
                "enddate": course.get("enddate", 0),
                "visible": course.get("visible", 1),
                "enablecompletion": course.get("enablecompletion", 1),
                "lang": course.get("lang", ""),
                "idnumber": course.get("idnumber", ""),
                "summary": course.get("summary", ""),
            }
            rows.append((cid, *[values.get(c, course.get(c)) for c in COURSE_COLUMNS], t, t))
            # A new course gets a manual enrolment instance and its course total grade item.
            enrols.append((cid, "manual", 0, 5))
            items.append((cid, "course", None, cid, None, None, None, 0, 0, 1, t))
        cols = ",".join(COURSE_COLUMNS)
        marks = placeholders([0] * (len(COURSE_COLUMNS) + 3))
        conn.executemany(
            f"INSERT INTO course (id,{cols},timecreated,timemodified) VALUES ({marks})",  # noqa: S608
            rows,
        )
        conn.executemany(
            "INSERT INTO enrol (courseid, enrol, status, roleid) VALUES (?, ?, ?, ?)", enrols
        )
        conn.executemany(
            "INSERT INTO grade_items (courseid, itemtype, itemmodule, iteminstance, itemnumber,"
            " itemname, idnumber, grademin, grademax, sortorder, timecreated)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            items,
        )
    return [{"id": c["id"], "shortname": c["shortname"]} for c in courses]


def course_record(row: sqlite3.Row, categoryname: str) -> dict[str, Any]:
    return {
        "id": row["id"],
        "fullname": row["fullname"],
        "displayname": row["fullname"],
        "shortname": row["shortname"],
        "courseimage": "",
        "categoryid": row["category"],
        "categoryname": categoryname,
        "sortorder": 10000 + row["id"],
        "summary": row["summary"],
        "summaryformat": row["summaryformat"],
        "summaryfiles": [],
        "overviewfiles": [],
        "showactivitydates": True,
        "showcompletionconditions": True,
        "contacts": [],
        "enrollmentmethods": ["manual"],
        "idnumber": row["idnumber"],
        "format": row["format"],
        "showgrades": row["showgrades"],
        "newsitems": row["newsitems"],
        "startdate": row["startdate"],
        "enddate": row["enddate"],
        "maxbytes": row["maxbytes"],
        "showreports": row["showreports"],
        "visible": row["visible"],
        "groupmode": row["groupmode"],
        "groupmodeforce": row["groupmodeforce"],
        "defaultgroupingid": 0,
        "enablecompletion": row["enablecompletion"],
        "completionnotify": 0,
        "lang": row["lang"],
        "theme": "",
        "marker": 0,
        "legacyfiles": 0,
        "calendartype": "",
        "timecreated": row["timecreated"],
        "timemodified": row["timemodified"],
        "requested": 0,
        "cacherev": row["timemodified"],
        "filters": [],
        "courseformatoptions": [],
    }


def get_courses_by_field(site: Site, params: dict[str, Any]) -> dict[str, Any]:
    field, value = params["field"], params["value"]
    sql, args = "SELECT * FROM course", []
    if field:
        if field in ("id", "category"):
            sql, args = f"{sql} WHERE {field} = ?", [clean(value, "int")]  # noqa: S608
        elif field == "ids":
            ids = [int(v) for v in clean(value, "sequence").split(",") if v]
            sql, args = f"{sql} WHERE id IN ({placeholders(ids)})", list(ids)  # noqa: S608
        elif field in ("shortname", "idnumber"):
            sql, args = f"{sql} WHERE {field} = ?", [value]  # noqa: S608
        else:
            raise InvalidParameter("Invalid field name")
    rows = site.conn.execute(f"{sql} ORDER BY id", args).fetchall()
    names = {r[0]: r[1] for r in site.conn.execute("SELECT id, name FROM course_categories")}
    courses = [course_record(r, names.get(r["category"], "")) for r in rows]
    return {"courses": courses, "warnings": []}


FUNCTIONS = [
    ExternalFunction(
        "core_course_create_courses", Single({"courses": Multiple(_COURSE)}), create_courses
    ),
    ExternalFunction(
        "core_course_get_courses_by_field",
        Single({"field": Value("alpha", DEFAULT, ""), "value": Value("raw", DEFAULT, "")}),
        get_courses_by_field,
    ),
]
