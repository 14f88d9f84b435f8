"""The Canvas emulator's SQLite store: schema, one connection per thread, transactions."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sandbox.context import SystemContext

SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, parent_account_id INTEGER,
    root_account_id INTEGER, sis_account_id TEXT UNIQUE,
    workflow_state TEXT NOT NULL DEFAULT 'active'
);
CREATE TABLE IF NOT EXISTS terms (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, sis_term_id TEXT UNIQUE,
    start_at TEXT, end_at TEXT, workflow_state TEXT NOT NULL DEFAULT 'active'
);
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, sortable_name TEXT, short_name TEXT,
    first_name TEXT, last_name TEXT, email TEXT, locale TEXT,
    workflow_state TEXT NOT NULL DEFAULT 'registered', sis_import_id INTEGER,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS users_name ON users(name);
-- the account users listing pages through this index alone (its filter and order are in it)
CREATE INDEX IF NOT EXISTS users_listing ON users(sortable_name, id, workflow_state);
CREATE TABLE IF NOT EXISTS logins (
    id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, account_id INTEGER NOT NULL,
    unique_id TEXT NOT NULL, unique_id_lower TEXT NOT NULL, sis_user_id TEXT UNIQUE,
    integration_id TEXT, authentication_provider_id TEXT,
    workflow_state TEXT NOT NULL DEFAULT 'active', created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS logins_unique_id ON logins(account_id, unique_id_lower);
CREATE INDEX IF NOT EXISTS logins_user ON logins(user_id);
CREATE TABLE IF NOT EXISTS courses (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, course_code TEXT, account_id INTEGER NOT NULL,
    enrollment_term_id INTEGER NOT NULL DEFAULT 1, sis_course_id TEXT UNIQUE, integration_id TEXT,
    workflow_state TEXT NOT NULL DEFAULT 'unpublished', start_at TEXT, end_at TEXT,
    sis_import_id INTEGER, created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS courses_account ON courses(account_id);
CREATE TABLE IF NOT EXISTS sections (
    id INTEGER PRIMARY KEY, course_id INTEGER NOT NULL, name TEXT NOT NULL,
    sis_section_id TEXT UNIQUE, integration_id TEXT, start_at TEXT, end_at TEXT,
    default_section INTEGER NOT NULL DEFAULT 0, workflow_state TEXT NOT NULL DEFAULT 'active',
    sis_import_id INTEGER, created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sections_course ON sections(course_id);
CREATE TABLE IF NOT EXISTS enrollments (
    id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, course_id INTEGER NOT NULL,
    course_section_id INTEGER NOT NULL, type TEXT NOT NULL, role_id INTEGER NOT NULL,
    workflow_state TEXT NOT NULL DEFAULT 'active', limit_privileges INTEGER NOT NULL DEFAULT 0,
    sis_import_id INTEGER, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    UNIQUE (user_id, course_section_id, type, role_id)
);
CREATE INDEX IF NOT EXISTS enrollments_course ON enrollments(course_id, workflow_state);
CREATE INDEX IF NOT EXISTS enrollments_section ON enrollments(course_section_id);
CREATE TABLE IF NOT EXISTS assignments (
    id INTEGER PRIMARY KEY, course_id INTEGER NOT NULL, name TEXT NOT NULL,
    description TEXT, points_possible REAL, grading_type TEXT NOT NULL DEFAULT 'points',
    submission_types TEXT NOT NULL DEFAULT 'none', due_at TEXT,
    published INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS assignments_course ON assignments(course_id);
CREATE TABLE IF NOT EXISTS assignment_groups (
    id INTEGER PRIMARY KEY, course_id INTEGER NOT NULL, name TEXT NOT NULL,
    position INTEGER NOT NULL, group_weight REAL NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS assignment_groups_course ON assignment_groups(course_id);
CREATE TABLE IF NOT EXISTS grading_standards (
    id INTEGER PRIMARY KEY, course_id INTEGER NOT NULL, title TEXT NOT NULL,
    grading_scheme TEXT NOT NULL, created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY, assignment_id INTEGER NOT NULL, user_id INTEGER NOT NULL,
    score REAL, grade TEXT, workflow_state TEXT NOT NULL DEFAULT 'unsubmitted',
    excused INTEGER NOT NULL DEFAULT 0, submitted_at TEXT, graded_at TEXT, grader_id INTEGER,
    UNIQUE (assignment_id, user_id)
);
CREATE TABLE IF NOT EXISTS progress (
    id INTEGER PRIMARY KEY, context_id INTEGER, context_type TEXT, tag TEXT NOT NULL,
    completion REAL NOT NULL DEFAULT 0, workflow_state TEXT NOT NULL DEFAULT 'queued',
    message TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sis_imports (
    id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL, import_type TEXT NOT NULL,
    workflow_state TEXT NOT NULL, progress INTEGER NOT NULL DEFAULT 0, file_path TEXT NOT NULL,
    extension TEXT NOT NULL, options TEXT NOT NULL DEFAULT '{}', supplied_batches TEXT,
    counts TEXT, processing_errors TEXT, processing_warnings TEXT,
    diffing_data_set_identifier TEXT, diffed_against_import_id INTEGER,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, ended_at TEXT
);
CREATE TABLE IF NOT EXISTS sis_diff_rows (
    data_set TEXT NOT NULL, kind TEXT NOT NULL, row_key TEXT NOT NULL, row_hash TEXT NOT NULL,
    import_id INTEGER NOT NULL, PRIMARY KEY (data_set, kind, row_key)
) WITHOUT ROWID;
"""


def now_iso() -> str:
    """Canvas writes timestamps as ISO 8601 in UTC with a Z."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Database:
    """One SQLite connection per thread on the system's own file."""

    def __init__(self, ctx: SystemContext) -> None:
        self._ctx = ctx
        self._local = threading.local()

    def conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._ctx.connect()
            # The SIS importer holds the write lock for a chunk at a time; API writes wait.
            conn.execute("PRAGMA busy_timeout=30000")
            self._local.conn = conn
        return conn

    def new_conn(self) -> sqlite3.Connection:
        """A private connection (the importer thread uses its own)."""
        conn = self._ctx.connect()
        conn.execute("PRAGMA busy_timeout=30000")
        return conn

    def create_schema(self) -> None:
        conn = self.conn()
        conn.executescript(SCHEMA)
        # Columns added after the first release: a state folder from before gets them here.
        have = {row[1] for row in conn.execute("PRAGMA table_info(assignments)")}
        for column in ("assignment_group_id", "grading_standard_id"):
            if column not in have:
                conn.execute(f"ALTER TABLE assignments ADD COLUMN {column} INTEGER")


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """An explicit write transaction (connections are in autocommit mode)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
