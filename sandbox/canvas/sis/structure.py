"""accounts.csv, terms.csv, courses.csv and sections.csv: the course structure."""

from __future__ import annotations

from collections.abc import Callable

from sandbox.canvas.db import now_iso
from sandbox.canvas.sis.reader import CsvFile
from sandbox.canvas.sis.run import Columns, ImportRun

ROOT = 1
COURSE_STATES = {
    "active": "unpublished",
    "published": "available",
    "completed": "completed",
    "deleted": "deleted",
}


def _getters(file: CsvFile, *names: str) -> dict[str, Callable[[list[str]], str]]:
    cols = Columns(file.header)
    return {name: cols.getter(name) for name in names}


def apply_accounts(run: ImportRun, file: CsvFile, rows: list[list[str]]) -> None:
    get = _getters(file, "account_id", "parent_account_id", "name", "status")
    done = 0
    for row in rows:
        sis_id, parent, name, status = (
            get[c](row) for c in ("account_id", "parent_account_id", "name", "status")
        )
        if not sis_id:
            run.error(file.name, "No account_id given for an account")
            continue
        if status.lower() not in ("active", "deleted"):
            run.error(file.name, f'Improper status "{status}" for account {sis_id}, skipping')
            continue
        parent_id = ROOT
        if parent:
            run.fill(
                run.account_ids,
                "SELECT sis_account_id, id FROM accounts WHERE sis_account_id IN ({})",
                [parent],
            )
            if parent not in run.account_ids:
                run.error(file.name, f"Parent account didn't exist for {sis_id}")
                continue
            parent_id = run.account_ids[parent]
        cursor = run.conn.execute(
            "INSERT INTO accounts (name, parent_account_id, root_account_id,"
            " sis_account_id, workflow_state)"
            " VALUES (?, ?, 1, ?, ?) ON CONFLICT (sis_account_id) DO UPDATE SET name ="
            " excluded.name,"
            " parent_account_id = excluded.parent_account_id, workflow_state ="
            " excluded.workflow_state"
            " RETURNING id",
            (name or sis_id, parent_id, sis_id, status.lower()),
        )
        run.account_ids[sis_id] = int(cursor.fetchone()[0])
        done += 1
    run.count("accounts", done)


def apply_terms(run: ImportRun, file: CsvFile, rows: list[list[str]]) -> None:
    get = _getters(file, "term_id", "name", "status", "start_date", "end_date")
    done = 0
    for row in rows:
        sis_id, name, status, start, end = (
            get[c](row) for c in ("term_id", "name", "status", "start_date", "end_date")
        )
        if not sis_id:
            run.error(file.name, "No term_id given for a term")
            continue
        if not name:
            run.error(file.name, f"No name given for term {sis_id}")
            continue
        if status.lower() not in ("active", "deleted"):
            run.error(file.name, f'Improper status "{status}" for term {sis_id}, skipping')
            continue
        cursor = run.conn.execute(
            "INSERT INTO terms (name, sis_term_id, start_at, end_at, workflow_state)"
            " VALUES (?,?,?,?,?)"
            " ON CONFLICT (sis_term_id) DO UPDATE SET name = excluded.name, start_at ="
            " excluded.start_at,"
            " end_at = excluded.end_at, workflow_state = excluded.workflow_state RETURNING id",
            (name, sis_id, start or None, end or None, status.lower()),
        )
        run.term_ids[sis_id] = int(cursor.fetchone()[0])
        done += 1
    run.count("terms", done)


def apply_courses(run: ImportRun, file: CsvFile, rows: list[list[str]]) -> None:
    names = (
        "course_id",
        "short_name",
        "long_name",
        "account_id",
        "term_id",
        "status",
        "start_date",
        "end_date",
    )
    get = _getters(file, *names)
    values = [[get[c](row) for c in names] for row in rows]
    run.fill(
        run.account_ids,
        "SELECT sis_account_id, id FROM accounts WHERE sis_account_id IN ({})",
        (v[3] for v in values),
    )
    run.fill(
        run.term_ids,
        "SELECT sis_term_id, id FROM terms WHERE sis_term_id IN ({})",
        (v[4] for v in values),
    )
    stamp, batch = now_iso(), []
    for sis_id, short, long, account, term, status, start, end in values:
        if not sis_id:
            run.error(file.name, "No course_id given for a course")
            continue
        if not short:
            run.error(file.name, f"No short_name given for course {sis_id}")
            continue
        if not long:
            run.error(file.name, f"No long_name given for course {sis_id}")
            continue
        if status.lower() not in COURSE_STATES:
            run.error(file.name, f'Improper status "{status}" for course {sis_id}')
            continue
        if account and account not in run.account_ids:
            run.error(file.name, f'Account not found "{account}" for course {sis_id}')
            continue
        if term and term not in run.term_ids:
            run.warning(
                file.name, f'Term not found "{term}" for course {sis_id}; using the default term'
            )
        batch.append(
            (
                long,
                short,
                run.account_ids.get(account, ROOT),
                run.term_ids.get(term, 1),
                sis_id,
                COURSE_STATES[status.lower()],
                start or None,
                end or None,
                run.import_id,
                stamp,
            )
        )
    # An "active" row must not unpublish a course that is already available.
    run.conn.executemany(
        "INSERT INTO courses (name, course_code, account_id, enrollment_term_id, sis_course_id,"
        " workflow_state, start_at, end_at, sis_import_id, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)"
        " ON CONFLICT (sis_course_id) DO UPDATE SET name = excluded.name,"
        " course_code = excluded.course_code, account_id = excluded.account_id,"
        " enrollment_term_id = excluded.enrollment_term_id, start_at = excluded.start_at,"
        " end_at = excluded.end_at, sis_import_id = excluded.sis_import_id,"
        " workflow_state = CASE WHEN excluded.workflow_state = 'unpublished'"
        " AND courses.workflow_state = 'available' THEN 'available' ELSE"
        " excluded.workflow_state END",
        batch,
    )
    run.count("courses", len(batch))


def apply_sections(run: ImportRun, file: CsvFile, rows: list[list[str]]) -> None:
    names = ("section_id", "course_id", "name", "status", "start_date", "end_date")
    get = _getters(file, *names)
    values = [[get[c](row) for c in names] for row in rows]
    run.fill(
        run.course_ids,
        "SELECT sis_course_id, id FROM courses WHERE sis_course_id IN ({})",
        (v[1] for v in values),
    )
    stamp, batch = now_iso(), []
    for sis_id, course, name, status, start, end in values:
        if not sis_id:
            run.error(file.name, f"No section_id given for a section in course {course}")
            continue
        if not course:
            run.error(file.name, f"No course_id given for a section {sis_id}")
            continue
        if not name:
            run.error(file.name, f"No name given for section {sis_id} in course {course}")
            continue
        if status.lower() not in ("active", "deleted"):
            run.error(
                file.name, f'Improper status "{status}" for section {sis_id} in course {course}'
            )
            continue
        if course not in run.course_ids:
            run.error(file.name, f"Section {sis_id} references course {course} which doesn't exist")
            continue
        batch.append(
            (
                run.course_ids[course],
                name,
                sis_id,
                start or None,
                end or None,
                status.lower(),
                run.import_id,
                stamp,
            )
        )
    run.conn.executemany(
        "INSERT INTO sections (course_id, name, sis_section_id, start_at, end_at, workflow_state,"
        " sis_import_id, created_at) VALUES (?,?,?,?,?,?,?,?) ON CONFLICT"
        " (sis_section_id) DO UPDATE"
        " SET course_id = excluded.course_id, name = excluded.name, start_at = excluded.start_at,"
        " end_at = excluded.end_at, workflow_state = excluded.workflow_state,"
        " sis_import_id = excluded.sis_import_id",
        batch,
    )
    for entry in batch:  # a section may have moved to another course
        run.section_ids.pop(entry[2], None)
    run.count("sections", len(batch))
