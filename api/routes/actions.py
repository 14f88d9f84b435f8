"""The action catalog: what Atrium can do to each of a school's systems, with the JSON schema of
every action's input and output (the process designer's palette, and each integration's
documentation in the console)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel

from api.security import require
from connectors.actions import Action
from connectors.catalog import catalog

router = APIRouter(prefix="/actions", tags=["actions"], dependencies=[require("processes:read")])


class ActionPublic(BaseModel):
    name: str
    system: str
    summary: str
    effect: Literal["read", "write", "destructive"]
    idempotent: bool
    idempotency_key: str | None
    input_schema: dict[str, Any]
    output_schema: dict[str, Any] | None


def public(entry: Action) -> ActionPublic:
    return ActionPublic.model_validate(entry.describe())


@router.get("", response_model=list[ActionPublic])
async def list_actions(
    system: str | None = Query(None, max_length=32, description="only this system's actions"),
    effect: Literal["read", "write", "destructive"] | None = None,
) -> list[ActionPublic]:
    return [
        public(a)
        for a in catalog().values()
        if (system is None or a.system == system) and (effect is None or a.spec.effect == effect)
    ]


@router.get("/{name}", response_model=ActionPublic)
async def get_action(name: str) -> ActionPublic:
    entry = catalog().get(name)
    if entry is None:
        raise HTTPException(404, f"unknown action {name!r}")
    return public(entry)
