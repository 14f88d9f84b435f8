"""The processes Atrium can run, with the JSON schema of each one's input."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel

from api.security import require
from workflows.registry import PROCESSES, Process

router = APIRouter(
    prefix="/processes", tags=["processes"], dependencies=[require("processes:read")]
)


class ProcessPublic(BaseModel):
    name: str
    description: str
    workflow_type: str
    input_schema: dict[str, Any]


def public(process: Process) -> ProcessPublic:
    return ProcessPublic(
        name=process.name,
        description=process.description,
        workflow_type=process.workflow_type,
        input_schema=process.input_model.model_json_schema(),
    )


def lookup(name: str) -> Process:
    process = PROCESSES.get(name)
    if process is None:
        raise HTTPException(404, f"unknown process {name!r}; known: {', '.join(sorted(PROCESSES))}")
    return process


@router.get("", response_model=list[ProcessPublic])
async def list_processes() -> list[ProcessPublic]:
    return [public(p) for p in PROCESSES.values()]


@router.get("/{name}", response_model=ProcessPublic)
async def get_process(name: str) -> ProcessPublic:
    return public(lookup(name))
