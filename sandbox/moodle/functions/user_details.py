"""``user_get_user_details()``: a user row as the web services return it (empty fields left out)."""

from __future__ import annotations

import sqlite3
from typing import Any

from sandbox.moodle.functions.base import placeholders

# Optional text fields Moodle only includes when they are not empty.
_OPTIONAL_TEXT = (
    "idnumber", "institution", "department", "phone1", "phone2", "address", "city", "country",
)  # fmt: skip


def user_details(
    row: sqlite3.Row,
    wwwroot: str,
    customfields: list[dict[str, Any]] | None = None,
    preferences: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    details: dict[str, Any] = {
        "id": row["id"],
        "username": row["username"],
        "firstname": row["firstname"],
        "lastname": row["lastname"],
        "fullname": f"{row['firstname']} {row['lastname']}",
        "email": row["email"],
    }
    for name in _OPTIONAL_TEXT:
        if row[name]:
            details[name] = row[name]
    details.update(
        firstaccess=row["firstaccess"],
        lastaccess=row["lastaccess"],
        auth=row["auth"],
        suspended=bool(row["suspended"]),
        confirmed=bool(row["confirmed"]),
        lang=row["lang"],
        theme=row["theme"],
        timezone=row["timezone"],
        mailformat=row["mailformat"],
        description=row["description"],
        descriptionformat=1,
        profileimageurlsmall=f"{wwwroot}/theme/image.php/boost/core/1/u/f2",
        profileimageurl=f"{wwwroot}/theme/image.php/boost/core/1/u/f1",
    )
    if customfields:
        details["customfields"] = customfields
    if preferences:
        details["preferences"] = preferences
    return details


def load_extras(
    conn: sqlite3.Connection, userids: list[int]
) -> tuple[dict[int, list[dict[str, Any]]], dict[int, list[dict[str, Any]]]]:
    """Custom profile fields and preferences of many users in two queries."""
    custom: dict[int, list[dict[str, Any]]] = {}
    prefs: dict[int, list[dict[str, Any]]] = {}
    if not userids:
        return custom, prefs
    marks = placeholders(userids)
    for r in conn.execute(
        f"SELECT userid, shortname, data FROM user_info_data WHERE userid IN ({marks})"  # noqa: S608
        " ORDER BY userid, shortname",
        userids,
    ):
        custom.setdefault(r["userid"], []).append(
            {
                "type": "text",
                "value": r["data"],
                "displayvalue": r["data"],
                "name": r["shortname"],
                "shortname": r["shortname"],
            }
        )
    for r in conn.execute(
        f"SELECT userid, name, value FROM user_preferences WHERE userid IN ({marks})"  # noqa: S608
        " ORDER BY userid, name",
        userids,
    ):
        prefs.setdefault(r["userid"], []).append({"name": r["name"], "value": r["value"]})
    return custom, prefs
