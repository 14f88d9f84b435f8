"""Diffing mode (``diffing_data_set_identifier``): apply only rows that changed since the last
import of the same data set, and delete what that import had but this one omits."""

from __future__ import annotations

import hashlib
import sqlite3

from sandbox.canvas.db import now_iso
from sandbox.canvas.sis.reader import CsvFile

KEY_COLUMNS = {
    "account": ("account_id",),
    "term": ("term_id",),
    "course": ("course_id",),
    "section": ("section_id",),
    "user": ("user_id",),
    "login": ("user_id",),
    "enrollment": ("course_id", "section_id", "user_id", "role", "role_id"),
}
_SEP = "\x1f"


class Differ:
    def __init__(
        self, conn: sqlite3.Connection, data_set: str, import_id: int, against: int | None
    ) -> None:
        self.conn, self.data_set, self.import_id = conn, data_set, import_id
        self.against = against  # None: remaster or first import, so apply every row
        self.kinds_seen: set[str] = set()

    def filter(self, file: CsvFile, rows: list[list[str]]) -> list[list[str]]:
        """Record this chunk's rows and return those that differ from the previous import."""
        kind = file.kind or ""
        self.kinds_seen.add(kind)
        index = {name: i for i, name in enumerate(file.header)}
        keys = [index[c] for c in KEY_COLUMNS[kind] if c in index]
        order = sorted(range(len(file.header)), key=file.header.__getitem__)
        records = []
        for row in rows:
            key = _SEP.join(row[i].strip() if i < len(row) else "" for i in keys)
            body = _SEP.join(
                f"{file.header[i]}={row[i].strip() if i < len(row) else ''}" for i in order
            )
            records.append((key, hashlib.blake2b(body.encode(), digest_size=8).hexdigest(), row))
        previous: dict[str, str] = {}
        if self.against is not None:
            distinct = list({key for key, _, _ in records})
            for start in range(0, len(distinct), 500):
                batch = distinct[start : start + 500]
                previous.update(
                    self.conn.execute(
                        "SELECT row_key, row_hash FROM sis_diff_rows WHERE data_set = ?"  # noqa: S608
                        f" AND kind = ? AND row_key IN ({','.join('?' * len(batch))})",
                        [self.data_set, kind, *batch],
                    ).fetchall()
                )
        self.conn.executemany(
            "INSERT INTO sis_diff_rows (data_set, kind, row_key, row_hash, import_id)"
            " VALUES (?,?,?,?,?)"
            " ON CONFLICT (data_set, kind, row_key) DO UPDATE SET row_hash = excluded.row_hash,"
            " import_id = excluded.import_id",
            [(self.data_set, kind, key, digest, self.import_id) for key, digest, _ in records],
        )
        return [row for key, digest, row in records if previous.get(key) != digest]

    def drop_omitted(self, drop_status: str = "deleted") -> int:
        """Delete what the previous import of this data set had and this one left out."""
        if self.against is None:
            return 0
        stamp, dropped = now_iso(), 0
        for kind in self.kinds_seen:
            omitted = [
                k
                for (k,) in self.conn.execute(
                    "SELECT row_key FROM sis_diff_rows WHERE data_set = ? AND kind = ?"
                    " AND import_id != ?",
                    (self.data_set, kind, self.import_id),
                )
            ]
            for key in omitted:
                dropped += self._drop(kind, key.split(_SEP), drop_status, stamp)
            self.conn.execute(
                "DELETE FROM sis_diff_rows WHERE data_set = ? AND kind = ? AND import_id != ?",
                (self.data_set, kind, self.import_id),
            )
        return dropped

    def _drop(self, kind: str, parts: list[str], drop_status: str, stamp: str) -> int:
        if kind == "user":  # as a users.csv "deleted" row: logins and enrollments go with it
            owner = "(SELECT user_id FROM logins WHERE sis_user_id = ?)"
            self.conn.execute(
                "UPDATE enrollments SET workflow_state = 'deleted', updated_at = ?"  # noqa: S608
                f" WHERE user_id IN {owner}",
                (stamp, parts[0]),
            )
            self.conn.execute(
                f"UPDATE logins SET workflow_state = 'deleted' WHERE user_id IN {owner}",  # noqa: S608
                (parts[0],),
            )
        sql = {
            "user": "UPDATE users SET workflow_state = 'deleted' WHERE id IN"
            " (SELECT user_id FROM logins WHERE sis_user_id = ?)",
            "course": "UPDATE courses SET workflow_state = 'deleted' WHERE sis_course_id = ?",
            "section": "UPDATE sections SET workflow_state = 'deleted' WHERE sis_section_id = ?",
        }.get(kind)
        if sql:
            return self.conn.execute(sql, (parts[0],)).rowcount
        if kind != "enrollment" or len(parts) < 3:
            return 0
        course, section, user = parts[0], parts[1], parts[2]
        return self.conn.execute(
            "UPDATE enrollments SET workflow_state = ?, updated_at = ? WHERE user_id IN"
            " (SELECT user_id FROM logins WHERE sis_user_id = ?) AND (course_section_id IN"
            " (SELECT id FROM sections WHERE sis_section_id = ?) OR (? = '' AND course_id IN"
            " (SELECT id FROM courses WHERE sis_course_id = ?)))",
            (drop_status, stamp, user, section, section, course),
        ).rowcount
