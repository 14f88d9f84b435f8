"""The background job behind ``update_grades``: validate, apply, and complete its Progress."""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
from typing import TYPE_CHECKING, Any

from sandbox.canvas import lookups
from sandbox.canvas.db import now_iso, transaction
from sandbox.canvas.errors import CanvasApiError
from sandbox.canvas.params import as_bool, as_str

if TYPE_CHECKING:
    from sandbox.canvas.state import CanvasState

_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_PERCENT = re.compile(r"^-?\d+(\.\d+)?%$")


def score_for(posted: str, points: float | None) -> float | None:
    """Canvas' posted_grade: a number of points, a percentage, pass/complete, or a letter."""
    text = posted.strip()
    if _NUMBER.match(text):
        return float(text)
    if _PERCENT.match(text):
        return float(text[:-1]) * (points or 0.0) / 100.0
    if text.lower() in ("pass", "complete"):
        return points
    if text.lower() in ("fail", "incomplete"):
        return 0.0
    return None


# Canvas' default grading scheme, used by letter-graded assignments without a standard of their own.
DEFAULT_SCHEME = [
    {"name": n, "value": v}
    for n, v in (("A", 0.94), ("A-", 0.9), ("B+", 0.87), ("B", 0.84), ("B-", 0.8), ("C+", 0.77),
                 ("C", 0.74), ("C-", 0.7), ("D+", 0.67), ("D", 0.64), ("D-", 0.61), ("F", 0.0))
]  # fmt: skip


def letter_for(score: float, points: float | None, scheme: str | None) -> str:
    """The scheme's highest entry whose lower bound the score reaches (as Canvas stores it)."""
    entries = json.loads(scheme) if scheme else DEFAULT_SCHEME
    fraction = score / points if points else 0.0
    for entry in sorted(entries, key=lambda e: -e["value"]):
        if fraction >= entry["value"] - 1e-9:
            return str(entry["name"])
    return str(entries[-1]["name"])


def _apply(conn: sqlite3.Connection, course_id: int, grade_data: dict[str, Any]) -> None:
    stamp = now_iso()
    updates: list[tuple[Any, ...]] = []
    for assignment_key, students in grade_data.items():
        row = conn.execute(
            "SELECT a.id, a.points_possible, a.grading_type, g.grading_scheme FROM assignments a"
            " LEFT JOIN grading_standards g ON g.id = a.grading_standard_id"
            " WHERE a.id = ? AND a.course_id = ?",
            (assignment_key, course_id),
        ).fetchone()
        if row is None or not isinstance(students, dict):
            raise ValueError(f"Couldn't find Assignment with API id '{assignment_key}'")
        for student_key, grade in students.items():
            try:
                user_id = lookups.user_id(conn, str(student_key))
            except CanvasApiError:
                raise ValueError(f"Couldn't find User with API id '{student_key}'") from None
            grade = grade if isinstance(grade, dict) else {}
            posted = as_str(grade.get("posted_grade"))
            excused = as_bool(grade.get("excuse")) if "excuse" in grade else False
            score = score_for(posted, row["points_possible"]) if posted else None
            grade_text = posted
            if score is not None and row["grading_type"] == "letter_grade":
                grade_text = letter_for(score, row["points_possible"], row["grading_scheme"])
            updates.append((row["id"], user_id, score, grade_text, int(excused), stamp))
    with transaction(conn):
        conn.executemany(
            "INSERT INTO submissions (assignment_id, user_id, score, grade, excused,"
            " workflow_state,"
            " graded_at, grader_id) VALUES (?, ?, ?, ?, ?, 'graded', ?, 1)"
            " ON CONFLICT (assignment_id, user_id) DO UPDATE SET score = excluded.score,"
            " grade = excluded.grade, excused = excluded.excused, workflow_state = 'graded',"
            " graded_at = excluded.graded_at, grader_id = 1",
            updates,
        )


async def apply_grades(
    state: CanvasState, progress_id: int, course_id: int, grade_data: dict[str, Any]
) -> None:
    conn = state.db.new_conn()
    try:
        async with state.job_lock:
            conn.execute(
                "UPDATE progress SET workflow_state = 'running', updated_at = ? WHERE id = ?",
                (now_iso(), progress_id),
            )
            try:
                await asyncio.to_thread(_apply, conn, course_id, grade_data)
            except (ValueError, sqlite3.Error) as exc:
                conn.execute(
                    "UPDATE progress SET workflow_state = 'failed', message = ?,"
                    " updated_at = ? WHERE id = ?",
                    (str(exc), now_iso(), progress_id),
                )
                return
            conn.execute(
                "UPDATE progress SET workflow_state = 'completed', completion = 100, updated_at = ?"
                " WHERE id = ?",
                (now_iso(), progress_id),
            )
    finally:
        conn.close()
