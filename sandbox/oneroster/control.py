"""Test and benchmark controls under ``/_control`` (not part of OneRoster).

``POST /_control/mutate`` changes records the way a SIS does during the year: it sets fields
and/or the status of N records (or the given sourcedIds) and bumps their ``dateLastModified`` to
now, so incremental sync, CSV deltas and tombstones (``tobedeleted``) can be exercised.
``PUT /_control/settings`` adjusts the token lifetime so tests can force expiry.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from sandbox.oneroster.errors import ImsxError
from sandbox.oneroster.gradebook_store import now_stamp
from sandbox.oneroster.query import parse_filter
from sandbox.oneroster.runtime import Runtime
from sandbox.oneroster.schema import TABLES


class Mutation(BaseModel):
    collection: str
    count: int = Field(1, ge=1, le=100_000)
    sourced_ids: list[str] | None = Field(None, alias="sourcedIds")
    filter: str | None = None  # OneRoster filter syntax choosing the candidates
    set: dict[str, Any] = Field(default_factory=dict)  # field -> new value
    status: Literal["active", "tobedeleted"] | None = None


class MutationResult(BaseModel):
    collection: str
    sourced_ids: list[str] = Field(serialization_alias="sourcedIds")
    date_last_modified: str = Field(serialization_alias="dateLastModified")


class Settings(BaseModel):
    token_lifetime_seconds: int | None = Field(None, ge=1, le=86_400)


def _pick(rt: Runtime, m: Mutation) -> list[str]:
    table = TABLES[m.collection]
    conn = rt.conn()
    if m.sourced_ids:
        marks = ",".join("?" * len(m.sourced_ids))
        sql = f"SELECT sourcedId FROM {table.name} WHERE sourcedId IN ({marks})"  # noqa: S608
        found = [r[0] for r in conn.execute(sql, m.sourced_ids)]
        missing = sorted(set(m.sourced_ids) - set(found))
        if missing:
            raise ImsxError(404, "unknownobject", f"unknown sourcedIds: {missing[:5]}")
        return found
    where = parse_filter(table, m.filter) if m.filter else None
    where_sql, params = (where.sql, where.params) if where else ("1", [])
    total = conn.execute(f"SELECT count(*) FROM {table.name} WHERE {where_sql}", params).fetchone()  # noqa: S608
    # A contiguous run from a random start: cheap on a million rows, and spread across runs.
    start = rt.rng.randrange(max(1, total[0] - m.count + 1))
    sql = (
        f"SELECT sourcedId FROM {table.name} WHERE {where_sql} ORDER BY sourcedId LIMIT ? OFFSET ?"  # noqa: S608
    )
    return [r[0] for r in conn.execute(sql, [*params, m.count, start])]


def mutate(rt: Runtime, m: Mutation) -> MutationResult:
    if m.collection not in TABLES:
        raise ImsxError(400, "invaliddata", f"unknown collection {m.collection!r}")
    table = TABLES[m.collection]
    stamp = now_stamp()
    assignments, params = ["dateLastModified = ?"], [stamp]
    json_paths: list[str] = ["'$.dateLastModified'", "?"]
    json_params: list[Any] = [stamp]
    if m.status:
        assignments.append("status = ?")
        params.append(m.status)
        json_paths += ["'$.status'", "?"]
        json_params.append(m.status)
    for name, value in m.set.items():
        if not table.knows(name) or name in ("sourcedId", "status", "dateLastModified"):
            raise ImsxError(400, "invaliddata", f"cannot set {name!r} on {table.name}")
        column = table.column_for(name)
        if column is not None:
            assignments.append(f"{column} = ?")
            params.append(value)
        if table.stored_as_json:
            json_paths += [f"'$.{name}'", "json(?)"]
            json_params.append(json.dumps(value))
        elif column is None:
            raise ImsxError(400, "invaliddata", f"{name!r} cannot be changed on {table.name}")
    if table.stored_as_json:
        pairs = ", ".join(json_paths)
        assignments.append(f"json = json_set(json, {pairs})")
        params += json_params
    ids = _pick(rt, m)
    conn = rt.conn()
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.executemany(
            f"UPDATE {table.name} SET {', '.join(assignments)} WHERE sourcedId = ?",  # noqa: S608
            [(*params, sid) for sid in ids],
        )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    rt.changed()
    return MutationResult(collection=table.name, sourced_ids=ids, date_last_modified=stamp)


def build_router(rt: Runtime) -> APIRouter:
    router = APIRouter(prefix="/_control")

    @router.post("/mutate", response_model=MutationResult, response_model_by_alias=True)
    def post_mutate(mutation: Mutation) -> MutationResult:
        return mutate(rt, mutation)

    @router.put("/settings")
    def put_settings(settings: Settings) -> dict[str, int]:
        if settings.token_lifetime_seconds is not None:
            rt.set_setting("token_lifetime_seconds", settings.token_lifetime_seconds)
        return {"token_lifetime_seconds": rt.token_lifetime()}

    @router.get("/info")
    def info() -> dict[str, Any]:
        conn = rt.conn()
        counts = {n: conn.execute(f"SELECT count(*) FROM {n}").fetchone()[0] for n in TABLES}  # noqa: S608
        return {"seed": rt.ctx.seed, "size": rt.ctx.size, "counts": counts}

    return router
