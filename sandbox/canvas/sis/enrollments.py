"""enrollments.csv: the hot path (a million rows in the benchmark), so it works in bulk.

Each chunk resolves its SIS ids through caches filled by batched IN queries and writes with one
``executemany`` upsert keyed on (user, section, type, role).
"""

from __future__ import annotations

from sandbox.canvas.db import now_iso
from sandbox.canvas.render import ROLE_IDS, ROLE_TYPES
from sandbox.canvas.sis.reader import CsvFile
from sandbox.canvas.sis.run import Columns, ImportRun

ROLES = {
    "student": "StudentEnrollment",
    "teacher": "TeacherEnrollment",
    "ta": "TaEnrollment",
    "observer": "ObserverEnrollment",
    "designer": "DesignerEnrollment",
}
STATES = {
    "active": "active",
    "deleted": "deleted",
    "completed": "completed",
    "inactive": "inactive",
}


def _default_section(run: ImportRun, course_id: int, stamp: str) -> int:
    section = run.default_sections.get(course_id)
    if section is None:
        row = run.conn.execute(
            "SELECT id FROM sections WHERE course_id = ? AND default_section = 1", (course_id,)
        ).fetchone()
        if row is None:
            name = run.conn.execute(
                "SELECT name FROM courses WHERE id = ?", (course_id,)
            ).fetchone()[0]
            row = run.conn.execute(
                "INSERT INTO sections (course_id, name, default_section, created_at)"
                " VALUES (?, ?, 1, ?)"
                " RETURNING id",
                (course_id, name, stamp),
            ).fetchone()
        section = run.default_sections[course_id] = int(row[0])
    return section


def apply_enrollments(run: ImportRun, file: CsvFile, rows: list[list[str]]) -> None:
    cols = Columns(file.header)
    g_course, g_user, g_role = cols.getter("course_id"), cols.getter("user_id"), cols.getter("role")
    g_role_id, g_section, g_status = (
        cols.getter("role_id"),
        cols.getter("section_id"),
        cols.getter("status"),
    )
    values = [
        (g_course(r), g_user(r), g_role(r).lower(), g_role_id(r), g_section(r), g_status(r).lower())
        for r in rows
    ]
    run.fill(
        run.user_ids,
        "SELECT sis_user_id, user_id FROM logins WHERE sis_user_id IN ({})",
        (v[1] for v in values),
    )
    run.fill(
        run.course_ids,
        "SELECT sis_course_id, id FROM courses WHERE sis_course_id IN ({})",
        (v[0] for v in values),
    )
    run.fill(
        run.section_ids,
        "SELECT sis_section_id, id, course_id FROM sections WHERE sis_section_id IN ({})",
        (v[4] for v in values),
        pack=lambda row: (row[1], row[2]),
    )
    stamp, batch, students = now_iso(), [], False
    users, courses, sections = run.user_ids, run.course_ids, run.section_ids
    for course, user, role, role_id, section, status in values:
        kind = (
            ROLES.get(role) if role else ROLE_TYPES.get(int(role_id)) if role_id.isdigit() else None
        )
        if not course and not section:
            run.error(file.name, "No course_id or section_id given for an enrollment")
            continue
        if not user:
            run.error(file.name, "No user_id given for an enrollment")
            continue
        if kind is None:
            run.error(file.name, f'Improper role "{role or role_id}" for an enrollment')
            continue
        state = STATES.get(status)
        if state is None:
            run.error(file.name, f'Improper status "{status}" for an enrollment')
            continue
        user_id = users.get(user)
        if user_id is None:
            run.error(
                file.name,
                f"User not found for enrollment (User ID: {user}, Course ID: {course},"
                f" Section ID: {section}, Role: {role or role_id})",
            )
            continue
        found = sections.get(section) if section else None
        course_id = courses.get(course) if course else None
        if found is None and course_id is None:
            run.error(
                file.name,
                f"Neither course nor section existed for user enrollment (Course ID: {course},"
                f" Section ID: {section}, User ID: {user}, Role: {role or role_id})",
            )
            continue
        if found is not None:
            section_id, section_course = found
            if course_id is not None and course_id != section_course:
                run.error(
                    file.name,
                    f"An enrollment listed a section ({section}) and a course ({course})"
                    f" that are unrelated for user ({user})",
                )
                continue
            course_id = section_course
        else:
            assert course_id is not None
            section_id = _default_section(run, course_id, stamp)
        students = students or kind == "StudentEnrollment"
        batch.append(
            (
                user_id,
                course_id,
                section_id,
                kind,
                ROLE_IDS[kind],
                state,
                run.import_id,
                stamp,
                stamp,
            )
        )
    run.conn.executemany(
        "INSERT INTO enrollments (user_id, course_id, course_section_id, type, role_id,"
        " workflow_state,"
        " sis_import_id, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?)"
        " ON CONFLICT (user_id, course_section_id, type, role_id) DO UPDATE SET"
        " workflow_state = excluded.workflow_state, sis_import_id = excluded.sis_import_id,"
        " updated_at = excluded.updated_at",
        batch,
    )
    if students and run.conn.execute("SELECT 1 FROM assignments LIMIT 1").fetchone():
        # Students get an (unsubmitted) submission for every assignment of their courses.
        run.conn.execute(
            "INSERT OR IGNORE INTO submissions (assignment_id, user_id) SELECT a.id, e.user_id"
            " FROM enrollments e JOIN assignments a ON a.course_id = e.course_id"
            " WHERE e.sis_import_id = ? AND e.type = 'StudentEnrollment'",
            (run.import_id,),
        )
    run.count("enrollments", len(batch))
