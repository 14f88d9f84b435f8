"""core_user_delete_users (user/externallib.php) as delete_user() in lib/moodlelib.php does it:
the row stays, marked deleted, with its username, email and idnumber released for reuse, and
the user's enrolments, role assignments and grades removed."""

from __future__ import annotations

import hashlib
from typing import Any

from sandbox.moodle import store
from sandbox.moodle.errors import MissingRecord, MoodleException
from sandbox.moodle.functions.base import ExternalFunction, Site
from sandbox.moodle.params import Multiple, Single, Value


def delete_users(site: Site, params: dict[str, Any]) -> None:
    conn = site.conn
    with store.transaction(conn):
        for userid in params["userids"]:
            user = conn.execute(
                "SELECT * FROM user WHERE id = ? AND deleted = 0", (userid,)
            ).fetchone()
            if user is None:
                raise MissingRecord(
                    "user", "SELECT * FROM {user} WHERE id = ? AND deleted = ?", [userid, 0]
                )
            if userid in (store.ADMIN_ID, store.GUEST_ID):
                code = "useradminodelete" if userid == store.ADMIN_ID else "guestnodeleted"
                raise MoodleException(code, "You can not delete this user")
            t = store.now()
            released = f"{user['email']}.{t}"
            conn.execute(
                "UPDATE user SET deleted = 1, username = ?, email = ?, idnumber = '',"
                " timemodified = ? WHERE id = ?",
                (released, hashlib.md5(released.encode()).hexdigest(), t, userid),  # noqa: S324
            )
            for table in ("user_enrolments", "role_assignments", "grade_grades"):
                conn.execute(f"DELETE FROM {table} WHERE userid = ?", (userid,))  # noqa: S608


FUNCTIONS = [
    ExternalFunction(
        "core_user_delete_users",
        Single({"userids": Multiple(Value("int"))}),
        delete_users,
    ),
]
