"""Rows -> Canvas JSON objects, and the SELECT fragments that feed them."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

ROLE_IDS = {
    "StudentEnrollment": 3,
    "TeacherEnrollment": 4,
    "TaEnrollment": 5,
    "DesignerEnrollment": 6,
    "ObserverEnrollment": 7,
}
ROLE_TYPES = {v: k for k, v in ROLE_IDS.items()}

# The first login of a user is its primary pseudonym: it carries sis_user_id and login_id.
PRIMARY_LOGIN = "LEFT JOIN logins l ON l.id = (SELECT MIN(id) FROM logins WHERE user_id = u.id)"
USER_COLUMNS = "u.*, l.sis_user_id, l.unique_id AS login_id, l.integration_id"
USERS_FROM = f"users u {PRIMARY_LOGIN}"

ENROLLMENT_COLUMNS = (
    "e.*, c.sis_course_id, c.integration_id AS course_integration_id, s.sis_section_id,"
    " s.integration_id AS section_integration_id, u.name AS user_name,"
    " u.sortable_name AS user_sortable_name, u.short_name AS user_short_name,"
    " u.created_at AS user_created_at, l.sis_user_id, l.unique_id AS login_id,"
    " l.integration_id AS user_integration_id"
)
ENROLLMENTS_FROM = (
    "enrollments e JOIN courses c ON c.id = e.course_id JOIN sections s ON s.id ="
    " e.course_section_id"
    f" JOIN users u ON u.id = e.user_id {PRIMARY_LOGIN}"
)
SECTION_COLUMNS = "s.*, c.sis_course_id"
SECTIONS_FROM = "sections s JOIN courses c ON c.id = s.course_id"


def user(row: sqlite3.Row, *, email: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": row["id"],
        "name": row["name"],
        "created_at": row["created_at"],
        "sortable_name": row["sortable_name"],
        "short_name": row["short_name"],
        "first_name": row["first_name"],
        "last_name": row["last_name"],
        "sis_user_id": row["sis_user_id"],
        "sis_import_id": row["sis_import_id"],
        "integration_id": row["integration_id"],
        "login_id": row["login_id"],
        "locale": row["locale"],
    }
    if email:
        out["email"] = row["email"]
    return out


def login(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "user_id": row["user_id"],
        "account_id": row["account_id"],
        "unique_id": row["unique_id"],
        "sis_user_id": row["sis_user_id"],
        "integration_id": row["integration_id"],
        "authentication_provider_id": row["authentication_provider_id"],
        "workflow_state": row["workflow_state"],
        "created_at": row["created_at"],
    }


def account(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "uuid": f"canvas-account-{row['id']}",
        "parent_account_id": row["parent_account_id"],
        "root_account_id": row["root_account_id"],
        "sis_account_id": row["sis_account_id"],
        "workflow_state": row["workflow_state"],
        "default_time_zone": "Etc/UTC",
    }


def course(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "course_code": row["course_code"],
        "account_id": row["account_id"],
        "root_account_id": 1,
        "enrollment_term_id": row["enrollment_term_id"],
        "sis_course_id": row["sis_course_id"],
        "integration_id": row["integration_id"],
        "sis_import_id": row["sis_import_id"],
        "workflow_state": row["workflow_state"],
        "start_at": row["start_at"],
        "end_at": row["end_at"],
        "created_at": row["created_at"],
        "default_view": "modules",
        "is_public": False,
        "uuid": f"canvas-course-{row['id']}",
    }


def section(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "course_id": row["course_id"],
        "sis_section_id": row["sis_section_id"],
        "sis_course_id": row["sis_course_id"],
        "integration_id": row["integration_id"],
        "sis_import_id": row["sis_import_id"],
        "start_at": row["start_at"],
        "end_at": row["end_at"],
        "nonxlist_course_id": None,
        "restrict_enrollments_to_section_dates": False,
        "created_at": row["created_at"],
    }


def enrollment(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "user_id": row["user_id"],
        "course_id": row["course_id"],
        "course_section_id": row["course_section_id"],
        "type": row["type"],
        "role": row["type"],
        "role_id": row["role_id"],
        "enrollment_state": row["workflow_state"],
        "limit_privileges_to_course_section": bool(row["limit_privileges"]),
        "root_account_id": 1,
        "sis_import_id": row["sis_import_id"],
        "sis_course_id": row["sis_course_id"],
        "course_integration_id": row["course_integration_id"],
        "sis_section_id": row["sis_section_id"],
        "section_integration_id": row["section_integration_id"],
        "sis_user_id": row["sis_user_id"],
        "associated_user_id": None,
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "start_at": None,
        "end_at": None,
        "html_url": f"/courses/{row['course_id']}/users/{row['user_id']}",
        "user": {
            "id": row["user_id"],
            "name": row["user_name"],
            "created_at": row["user_created_at"],
            "sortable_name": row["user_sortable_name"],
            "short_name": row["user_short_name"],
            "sis_user_id": row["sis_user_id"],
            "integration_id": row["user_integration_id"],
            "login_id": row["login_id"],
        },
    }


def assignment(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "description": row["description"],
        "course_id": row["course_id"],
        "points_possible": row["points_possible"],
        "grading_type": row["grading_type"],
        "submission_types": row["submission_types"].split(","),
        "due_at": row["due_at"],
        "assignment_group_id": row["assignment_group_id"],
        "grading_standard_id": row["grading_standard_id"],
        "published": bool(row["published"]),
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "html_url": f"/courses/{row['course_id']}/assignments/{row['id']}",
    }


def assignment_group(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "position": row["position"],
        "group_weight": row["group_weight"],
        "sis_source_id": None,
        "integration_data": {},
        "rules": {},
    }


def grading_standard(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "title": row["title"],
        "context_type": "Course",
        "context_id": row["course_id"],
        "points_based": False,
        "scaling_factor": 1.0,
        "grading_scheme": json.loads(row["grading_scheme"]),
    }


def submission(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "assignment_id": row["assignment_id"],
        "user_id": row["user_id"],
        "score": row["score"],
        "grade": row["grade"],
        "entered_score": row["score"],
        "entered_grade": row["grade"],
        "workflow_state": row["workflow_state"],
        "excused": bool(row["excused"]),
        "submitted_at": row["submitted_at"],
        "graded_at": row["graded_at"],
        "grader_id": row["grader_id"],
        "attempt": None,
        "late": False,
        "missing": False,
        "submission_type": None,
    }


def progress(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "context_id": row["context_id"],
        "context_type": row["context_type"],
        "user_id": 1,
        "tag": row["tag"],
        "completion": row["completion"],
        "workflow_state": row["workflow_state"],
        "message": row["message"],
        "results": None,
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "url": f"/api/v1/progress/{row['id']}",
    }


def sis_import(row: sqlite3.Row) -> dict[str, Any]:
    options = json.loads(row["options"] or "{}")
    errors = json.loads(row["processing_errors"] or "[]")
    warnings = json.loads(row["processing_warnings"] or "[]")
    out: dict[str, Any] = {
        "id": row["id"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "ended_at": row["ended_at"],
        "workflow_state": row["workflow_state"],
        "progress": row["progress"],
        "data": {
            "import_type": row["import_type"],
            "supplied_batches": json.loads(row["supplied_batches"] or "[]"),
            "counts": json.loads(row["counts"]) if row["counts"] else None,
        },
        "batch_mode": bool(options.get("batch_mode")),
        "batch_mode_term_id": options.get("batch_mode_term_id"),
        "multi_term_batch_mode": False,
        "skip_deletes": bool(options.get("skip_deletes")),
        "override_sis_stickiness": bool(options.get("override_sis_stickiness")),
        "add_sis_stickiness": False,
        "clear_sis_stickiness": False,
        "diffing_data_set_identifier": row["diffing_data_set_identifier"],
        "diffing_remaster": bool(options.get("diffing_remaster")),
        "diffed_against_import_id": row["diffed_against_import_id"],
        "csv_attachments": [],
        "errors_attachment": None,
    }
    if errors:
        out["processing_errors"] = errors
    if warnings:
        out["processing_warnings"] = warnings
    return out
