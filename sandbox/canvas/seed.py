"""Deterministic demo data, written at first start only (a restart keeps what is there)."""

from __future__ import annotations

import hashlib
import random
import sqlite3

from sandbox.canvas.db import now_iso, transaction
from sandbox.canvas.names import sortable_from

FIRST = [
    "Ada",
    "Ben",
    "Cleo",
    "Dev",
    "Elif",
    "Finn",
    "Gia",
    "Hugo",
    "Iris",
    "Jon",
    "Kai",
    "Lena",
    "Milo",
    "Nia",
    "Omar",
    "Pia",
    "Quin",
    "Rosa",
    "Sam",
    "Tara",
]
LAST = [
    "Abara",
    "Brook",
    "Chen",
    "Diaz",
    "Evans",
    "Fofana",
    "Garcia",
    "Haddad",
    "Ito",
    "Jensen",
    "Khan",
    "Lopez",
    "Moreau",
    "Novak",
    "Okafor",
    "Patel",
]
SIZES = {"demo": (40, 4), "small": (200, 10), "large": (2_000, 60)}


def demo_token(seed: int) -> str:
    """A Canvas-shaped access token (``<id>~<64 chars>``), the same for the same seed."""
    return "7~" + hashlib.sha256(f"canvas-sandbox-{seed}".encode()).hexdigest()


def seed_if_empty(conn: sqlite3.Connection, seed: int, size: str) -> None:
    if conn.execute("SELECT COUNT(*) FROM accounts").fetchone()[0]:
        return
    rng = random.Random(seed)
    students, courses = SIZES.get(size, SIZES["demo"])
    stamp = now_iso()
    with transaction(conn):
        conn.execute(
            "INSERT INTO accounts (id, name, root_account_id) VALUES (1, 'Sandbox"
            " University', NULL)"
        )
        conn.execute(
            "INSERT INTO accounts (id, name, parent_account_id, root_account_id, sis_account_id)"
            " VALUES (2, 'Sandbox High School', 1, 1, 'SCH-1')"
        )
        conn.execute("INSERT INTO terms (id, name) VALUES (1, 'Default Term')")
        conn.execute(
            "INSERT INTO terms (id, name, sis_term_id, start_at, end_at) VALUES"
            " (2, 'Fall 2025', 'T-2025-FALL', '2025-09-01T00:00:00Z', '2026-01-31T00:00:00Z')"
        )
        _user(conn, 1, "Sandbox Admin", "admin@sandbox.edu", None, stamp)
        people = []
        for n in range(students + courses):
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            sis_id = f"U{n + 1:05d}"
            people.append(_user(conn, n + 2, name, f"{sis_id.lower()}@sandbox.edu", sis_id, stamp))
        teachers, learners = people[:courses], people[courses:]
        for c in range(courses):
            course_id = c + 1
            conn.execute(
                "INSERT INTO courses (id, name, course_code, account_id, enrollment_term_id,"
                " sis_course_id, workflow_state, created_at) VALUES (?, ?, ?, 2, 2, ?,"
                " 'available', ?)",
                (course_id, f"Course {c + 1}", f"C{c + 1:03d}", f"C{c + 1:03d}", stamp),
            )
            for s in (1, 2):
                conn.execute(
                    "INSERT INTO sections (id, course_id, name, sis_section_id,"
                    " created_at) VALUES (?,?,?,?,?)",
                    (course_id * 10 + s, course_id, f"Section {s}", f"C{c + 1:03d}-S{s}", stamp),
                )
            _enroll(conn, teachers[c], course_id, course_id * 10 + 1, "TeacherEnrollment", stamp)
            for i, student in enumerate(rng.sample(learners, k=min(len(learners), 12))):
                _enroll(
                    conn, student, course_id, course_id * 10 + 1 + i % 2, "StudentEnrollment", stamp
                )
            for a in (1, 2):
                assignment = conn.execute(
                    "INSERT INTO assignments (course_id, name, points_possible, submission_types,"
                    " created_at, updated_at) VALUES (?, ?, 100, 'online_text_entry', ?,"
                    " ?) RETURNING id",
                    (course_id, f"Assignment {a}", stamp, stamp),
                ).fetchone()[0]
                conn.execute(
                    "INSERT INTO submissions (assignment_id, user_id) SELECT ?, user_id"
                    " FROM enrollments"
                    " WHERE course_id = ? AND type = 'StudentEnrollment'",
                    (assignment, course_id),
                )


def _user(
    conn: sqlite3.Connection, user_id: int, name: str, login: str, sis_id: str | None, stamp: str
) -> int:
    first, _, last = name.partition(" ")
    conn.execute(
        "INSERT INTO users (id, name, sortable_name, short_name, first_name, last_name,"
        " email, created_at)"
        " VALUES (?,?,?,?,?,?,?,?)",
        (user_id, name, sortable_from(name), name, first, last, login, stamp),
    )
    conn.execute(
        "INSERT INTO logins (user_id, account_id, unique_id, unique_id_lower,"
        " sis_user_id, created_at)"
        " VALUES (?, 1, ?, ?, ?, ?)",
        (user_id, login, login.lower(), sis_id, stamp),
    )
    return user_id


def _enroll(
    conn: sqlite3.Connection, user_id: int, course_id: int, section_id: int, kind: str, stamp: str
) -> None:
    role_id = 3 if kind == "StudentEnrollment" else 4
    conn.execute(
        "INSERT OR IGNORE INTO enrollments (user_id, course_id, course_section_id, type, role_id,"
        " workflow_state, created_at, updated_at) VALUES (?,?,?,?,?,'active',?,?)",
        (user_id, course_id, section_id, kind, role_id, stamp, stamp),
    )
