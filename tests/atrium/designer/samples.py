"""Definitions the designer's tests share: a branch, a for-each and an approval over Canvas."""

from __future__ import annotations

from typing import Any


def onboarding(integration: str = "campus-canvas") -> dict[str, Any]:
    """Create a Canvas user per student, after a secretary approves; nothing when none."""
    return {
        "start": "any_students",
        "inputs": {"students": {"type": "array"}, "term": {"type": "string", "required": False}},
        "steps": [
            {
                "id": "any_students",
                "type": "condition",
                "when": "length(input.students) > `0`",
                "then": "approve",
                "otherwise": "nothing_to_do",
            },
            {"id": "nothing_to_do", "type": "end", "output": {"created": "`0`"}},
            {
                "id": "approve",
                "type": "approval",
                "name": "Registrar approves the accounts",
                "assignee_role": "secretary",
                "prompt": "Create Canvas accounts for these students?",
                "deadline_seconds": 3600,
                "on_rejected": "rejected",
                "output": "decision",
                "next": "create_all",
            },
            {"id": "rejected", "type": "end", "output": {"created": "`0`", "by": "decision.by"}},
            {
                "id": "create_all",
                "type": "for_each",
                "items": "input.students",
                "item": "student",
                "body": "create_user",
                "concurrency": 2,
                "collect": "user.sis_user_id",
                "output": "created",
                "next": "done",
            },
            {
                "id": "create_user",
                "type": "action",
                "name": "Create the Canvas user",
                "action": "canvas.create_user",
                "integration": integration,
                "bind": {
                    "new.name": "join(' ', [student.given, student.family])",
                    "new.unique_id": "student.login",
                    "new.sis_user_id": "student.id",
                },
                "output": "user",
            },
            {
                "id": "done",
                "type": "end",
                "output": {"created": "created", "approved_by": "decision.by"},
            },
        ],
    }
