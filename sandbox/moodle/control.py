"""Sandbox-only routes under ``/moodle/_control``: things a teacher would do in Moodle's UI."""

from __future__ import annotations

import sqlite3

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from sandbox.moodle.functions.grade_tree import record_grade


class GradeIn(BaseModel):
    """One user's grade for an activity; the activity's grade item is created on first use."""

    courseid: int
    userid: int
    itemname: str = Field(min_length=1)
    grade: float | None
    grademax: float = Field(100.0, gt=0)
    itemmodule: str = "assign"
    feedback: str | None = None
    category: str | None = Field(None, min_length=1, max_length=255)


class GradeOut(BaseModel):
    itemid: int


def control_router(conn: sqlite3.Connection) -> APIRouter:
    router = APIRouter(prefix="/_control")

    @router.post("/grades", response_model=GradeOut)
    async def set_grade(grade: GradeIn) -> GradeOut:
        for table, key in (("course", grade.courseid), ("user", grade.userid)):
            if not conn.execute(f"SELECT 1 FROM {table} WHERE id = ?", (key,)).fetchone():  # noqa: S608
                raise HTTPException(404, f"no {table} with id {key}")
        itemid = record_grade(conn, **grade.model_dump())
        return GradeOut(itemid=itemid)

    return router
