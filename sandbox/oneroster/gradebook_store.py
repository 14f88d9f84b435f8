"""Gradebook writes: PUT (create or replace), POST (a set, sourcedIds allocated) and DELETE.

A PUT answers 201 with no body, as the binding's OpenAPI declares for every PUT. Sending the same
record again changes nothing, not even ``dateLastModified``, so a retried write produces no delta.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sandbox.oneroster.errors import ImsxError, invalid_data, unknown_object
from sandbox.oneroster.gradebook_records import SHAPES, Ref, check
from sandbox.oneroster.listing import fetch_one
from sandbox.oneroster.runtime import Runtime
from sandbox.oneroster.schema import TABLES
from sandbox.oneroster.wire import Refs, dumps

RESULT_COLUMNS = ("scoreStatus", "score", "scoreDate", "comment")


def now_stamp() -> str:
    moment = datetime.now(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _same(stored: dict[str, Any], new: dict[str, Any]) -> bool:
    def strip(r: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in r.items() if k != "dateLastModified"}

    return strip(stored) == strip(new)


class Gradebook:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.refs = Refs(rt.prefix)

    def existing(self, table: str, sid: str) -> dict[str, Any] | None:
        try:
            return dict(json.loads(fetch_one(self.rt, table, sid)))
        except ImsxError:
            return None

    def exists(self, ref: Ref, sid: str) -> bool:
        extra = f" AND {ref.where}" if ref.where else ""
        sql = f"SELECT 1 FROM {ref.collection} WHERE sourcedId = ?{extra}"  # noqa: S608
        return self.rt.conn().execute(sql, (sid,)).fetchone() is not None

    def prepare(self, table: str, sid: str, record: dict[str, Any]) -> dict[str, Any]:
        """The record to store: checked, with its references rebuilt as our GUIDRefs."""
        if not sid or len(sid) > 255:
            raise invalid_data("sourcedId must be 1 to 255 characters")
        stored, ids = check(table, sid, record, self.exists)
        if table == "lineItems":
            klass = self.existing("classes", ids["class"]) or {}
            school = klass.get("school", {}).get("sourcedId", "")
            if ids.setdefault("school", school) != school:
                raise invalid_data(f"lineItem.school: class {ids['class']!r} is not in that school")
        if table == "results":
            item = self.existing("lineItems", ids["lineItem"]) or {}
            class_id = item.get("class", {}).get("sourcedId", "")
            if ids.setdefault("class", class_id) != class_id:
                raise invalid_data("result.class differs from the class of its lineItem")
        shape = SHAPES[table]
        for name, sourced_id in ids.items():
            target = shape.refs[name]
            stored[name] = self.refs.ref(target.collection, target.kind, sourced_id)
        return stored

    def put(self, table: str, sid: str, record: dict[str, Any]) -> None:
        self.write(table, self.prepare(table, sid, record))

    def write(self, table: str, stored: dict[str, Any]) -> None:
        sid = stored["sourcedId"]
        old = self.existing(table, sid)
        if old is not None and _same(old, self._answered(table, stored)):
            return
        stored["dateLastModified"] = now_stamp()
        if table == "results":
            self._write_result(stored)
        else:
            columns = TABLES[table].columns
            values = [
                (stored.get(path.split(".")[0]) or {}).get("sourcedId") for path in columns.values()
            ]
            marks = ",".join("?" * (4 + len(columns)))
            self.rt.conn().execute(
                f"INSERT OR REPLACE INTO {table} VALUES ({marks})",  # noqa: S608
                (sid, stored["status"], stored["dateLastModified"], *values, dumps(stored)),
            )
        self.rt.changed()

    def _answered(self, table: str, stored: dict[str, Any]) -> dict[str, Any]:
        """``stored`` as a GET would answer it (results are rebuilt from columns)."""
        if table != "results":
            return stored
        return {k: (float(v) if k == "score" else v) for k, v in stored.items()}

    def _write_result(self, stored: dict[str, Any]) -> None:
        refs = ("sourcedId", "status", "dateLastModified", "lineItem", "student", "class")
        extra = {k: v for k, v in stored.items() if k not in (*refs, *RESULT_COLUMNS)}
        self.rt.conn().execute(
            "INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                stored["sourcedId"],
                stored["status"],
                stored["dateLastModified"],
                stored["lineItem"]["sourcedId"],
                stored["student"]["sourcedId"],
                stored["class"]["sourcedId"],
                stored["scoreStatus"],
                stored.get("score"),
                stored["scoreDate"],
                stored.get("comment"),
                dumps(extra) if extra else None,
            ),
        )

    def post(self, table: str, records: list[dict[str, Any]]) -> list[dict[str, str]]:
        """Create or replace a set; every record is checked before any is stored."""
        prepared = []
        for record in records:
            supplied = record.get("sourcedId")
            if not isinstance(supplied, str):
                raise invalid_data(f"{TABLES[table].singular}.sourcedId is required")
            prepared.append(self.prepare(table, supplied, record))
        for stored in prepared:
            self.write(table, stored)
        # The supplied sourcedId is kept (create or replace), so a retried POST creates nothing.
        return [
            {"suppliedSourcedId": s["sourcedId"], "allocatedSourcedId": s["sourcedId"]}
            for s in prepared
        ]

    def delete(self, table: str, sid: str) -> None:
        cursor = self.rt.conn().execute(f"DELETE FROM {table} WHERE sourcedId = ?", (sid,))  # noqa: S608
        if cursor.rowcount == 0:
            raise unknown_object(TABLES[table].singular, sid)
        self.rt.changed()
