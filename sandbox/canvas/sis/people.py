"""users.csv and logins.csv: create or update users and their logins (pseudonyms)."""

from __future__ import annotations

from sandbox.canvas.db import now_iso
from sandbox.canvas.names import from_parts, sortable_from
from sandbox.canvas.sis.reader import CsvFile
from sandbox.canvas.sis.run import Columns, ImportRun

USER_STATES = {
    "active": ("registered", "active"),
    "deleted": ("deleted", "deleted"),
    "suspended": ("registered", "suspended"),
}
ROOT = 1


def apply_users(run: ImportRun, file: CsvFile, rows: list[list[str]]) -> None:
    cols = Columns(file.header)
    get = {
        name: cols.getter(name)
        for name in (
            "user_id",
            "login_id",
            "first_name",
            "last_name",
            "full_name",
            "sortable_name",
            "short_name",
            "email",
            "status",
            "integration_id",
            "authentication_provider_id",
        )
    }
    conn, stamp = run.conn, now_iso()
    run.fill(
        run.user_ids,
        "SELECT sis_user_id, user_id FROM logins WHERE sis_user_id IN ({})",
        (get["user_id"](r) for r in rows),
    )
    logins: dict[str, int] = {}
    run.fill(
        logins,
        "SELECT unique_id_lower, user_id FROM logins WHERE account_id = 1 AND"
        " unique_id_lower IN ({})",
        (get["login_id"](r).lower() for r in rows),
    )
    next_user, next_login = run.next_id("users"), run.next_id("logins")
    new_users, new_logins, updates, login_updates, deleted = [], [], [], [], []
    done = 0
    for row in rows:
        sis_id, login_id, status = (
            get["user_id"](row),
            get["login_id"](row),
            get["status"](row).lower(),
        )
        if not sis_id:
            run.error(file.name, "No user_id given for a user")
            continue
        if not login_id:
            run.error(file.name, f"No login_id given for user {sis_id}")
            continue
        if status not in USER_STATES:
            run.error(file.name, f'Improper status "{status}" for user {sis_id}, skipping')
            continue
        owner = logins.get(login_id.lower())
        existing = run.user_ids.get(sis_id)
        if owner is not None and owner != existing:
            run.warning(
                file.name,
                f"An existing Canvas user with the login {login_id} has already claimed user"
                f" {sis_id}'s requested login information, skipping",
            )
            continue
        full = get["full_name"](row)
        name, sortable = (
            (full, sortable_from(full))
            if full
            else from_parts(get["first_name"](row), get["last_name"](row))
        )
        sortable = get["sortable_name"](row) or sortable
        user_state, login_state = USER_STATES[status]
        values = (
            name,
            sortable,
            get["short_name"](row) or name,
            get["first_name"](row) or None,
            get["last_name"](row) or None,
            get["email"](row) or None,
            user_state,
        )
        login_values = (
            login_id,
            login_id.lower(),
            get["integration_id"](row) or None,
            get["authentication_provider_id"](row) or None,
            login_state,
        )
        if existing is None:
            new_users.append((next_user, *values, run.import_id, stamp))
            new_logins.append((next_login, next_user, ROOT, *login_values, sis_id, stamp))
            run.user_ids[sis_id] = next_user
            next_user, next_login = next_user + 1, next_login + 1
        else:
            updates.append((*values, run.import_id, existing))
            login_updates.append((*login_values, sis_id))
        logins[login_id.lower()] = run.user_ids[sis_id]
        if status == "deleted":
            deleted.append((stamp, run.user_ids[sis_id]))
        done += 1
    conn.executemany(
        "INSERT INTO users (id, name, sortable_name, short_name, first_name, last_name, email,"
        " workflow_state, sis_import_id, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
        new_users,
    )
    conn.executemany(
        "INSERT INTO logins (id, user_id, account_id, unique_id, unique_id_lower, integration_id,"
        " authentication_provider_id, workflow_state, sis_user_id, created_at)"
        " VALUES (?,?,?,?,?,?,?,?,?,?)",
        new_logins,
    )
    conn.executemany(
        "UPDATE users SET name = ?, sortable_name = ?, short_name = ?, first_name = ?,"
        " last_name = ?,"
        " email = COALESCE(?, email), workflow_state = ?, sis_import_id = ? WHERE id = ?",
        updates,
    )
    conn.executemany(
        "UPDATE logins SET unique_id = ?, unique_id_lower = ?, integration_id = ?,"
        " authentication_provider_id = ?, workflow_state = ? WHERE sis_user_id = ?",
        login_updates,
    )
    # A deleted user loses its enrollments, as the SIS CSV documentation says.
    conn.executemany(
        "UPDATE enrollments SET workflow_state = 'deleted', updated_at = ? WHERE user_id = ?",
        deleted,
    )
    run.count("users", done)


def apply_logins(run: ImportRun, file: CsvFile, rows: list[list[str]]) -> None:
    cols = Columns(file.header)
    get = {
        name: cols.getter(name)
        for name in (
            "user_id",
            "login_id",
            "existing_user_id",
            "existing_integration_id",
            "existing_canvas_user_id",
            "integration_id",
            "authentication_provider_id",
        )
    }
    conn, stamp, done = run.conn, now_iso(), 0
    for row in rows:
        sis_id, login_id = get["user_id"](row), get["login_id"](row)
        if not sis_id or not login_id:
            run.error(file.name, "No user_id or login_id given for a login")
            continue
        if canvas_id := get["existing_canvas_user_id"](row):
            found = conn.execute("SELECT id FROM users WHERE id = ?", (canvas_id,)).fetchone()
        elif existing_sis := get["existing_user_id"](row):
            found = conn.execute(
                "SELECT user_id FROM logins WHERE sis_user_id = ?", (existing_sis,)
            ).fetchone()
        else:
            found = conn.execute(
                "SELECT user_id FROM logins WHERE integration_id = ?",
                (get["existing_integration_id"](row),),
            ).fetchone()
        if found is None:
            run.error(file.name, f"Could not find the existing user for login with SIS ID {sis_id}")
            continue
        clash = conn.execute(
            "SELECT user_id FROM logins WHERE sis_user_id = ? OR (account_id = 1 AND"
            " unique_id_lower = ?)",
            (sis_id, login_id.lower()),
        ).fetchone()
        if clash is not None:
            run.warning(
                file.name,
                f"A login with SIS ID {sis_id} or login {login_id} already exists, skipping",
            )
            continue
        conn.execute(
            "INSERT INTO logins (user_id, account_id, unique_id, unique_id_lower, sis_user_id,"
            " integration_id, authentication_provider_id, created_at) VALUES (?,1,?,?,?,?,?,?)",
            (
                found[0],
                login_id,
                login_id.lower(),
                sis_id,
                get["integration_id"](row) or None,
                get["authentication_provider_id"](row) or None,
                stamp,
            ),
        )
        done += 1
    run.count("logins", done)
