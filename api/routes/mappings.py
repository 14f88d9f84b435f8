"""Mappings: declarative, versioned (each save adds a version), and a dry run on sample records."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, status
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import and_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from api.deps import SessionDep
from api.errors import validation_detail
from api.security import Principal, require
from atrium.bounds import JsonList, JsonObject, Line, RowId
from atrium.models.mapping import NAME_PATTERN, Mapping, MappingCreate, MappingPublic, MappingUpdate
from atrium.sync.changes import map_page
from atrium.sync.mapping import RECORD_TYPES, CompiledMapping, MappingSpec

router = APIRouter(prefix="/mappings", tags=["mappings"])
Name = Annotated[str, Path(pattern=NAME_PATTERN, max_length=63)]


class DryRun(BaseModel):
    record_type: Line = Field(max_length=32, examples=["users"])
    spec: JsonObject
    records: JsonList = Field(min_length=1, max_length=100)


class DryRunItem(BaseModel):
    source_id: str
    ok: bool
    version: str | None = None
    record: dict[str, Any] | None = None
    stage: str | None = None
    reason: str | None = None


def compile_spec(record_type: str, spec: dict[str, Any]) -> CompiledMapping:
    """The spec as the sync engine will use it, or a 422 naming the field at fault."""
    if record_type not in RECORD_TYPES:
        known = ", ".join(sorted(RECORD_TYPES))
        raise HTTPException(422, f"record_type: unknown {record_type!r}; known: {known}")
    try:
        return CompiledMapping(MappingSpec.model_validate(spec), record_type)
    except ValidationError as exc:
        fields = validation_detail(exc.errors())  # type: ignore[arg-type]
        summary = "; ".join(f"spec.{f['field']}: {f['message']}" for f in fields)
        raise HTTPException(422, f"invalid spec: {summary}") from None
    except ValueError as exc:
        raise HTTPException(422, f"spec.{exc}") from None


def _latest(session: Session, name: str) -> Mapping:
    found = session.exec(
        select(Mapping).where(Mapping.name == name).order_by(col(Mapping.version).desc())
    ).first()
    if found is None:
        raise HTTPException(404, f"no mapping named {name!r}")
    return found


@router.get("", response_model=list[MappingPublic], dependencies=[require("mappings:read")])
def list_mappings(session: SessionDep) -> list[Mapping]:
    newest = (
        select(Mapping.name, func.max(Mapping.version).label("version"))
        .group_by(Mapping.name)
        .subquery()
    )
    on = and_(col(Mapping.name) == newest.c.name, col(Mapping.version) == newest.c.version)
    query = select(Mapping).join(newest, on)
    return list(session.exec(query.order_by(Mapping.name)).all())


@router.post("", response_model=MappingPublic, status_code=status.HTTP_201_CREATED)
def create_mapping(
    body: MappingCreate, session: SessionDep, principal: Principal = require("mappings:write")
) -> Mapping:
    compile_spec(body.record_type, body.spec)
    if session.exec(select(Mapping.id).where(Mapping.name == body.name)).first() is not None:
        raise HTTPException(409, f"name: a mapping named {body.name!r} exists; PUT a new version")
    row = Mapping(**body.model_dump(), version=1, created_by=principal.subject)
    session.add(row)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise HTTPException(409, f"name: a mapping named {body.name!r} exists") from None
    session.refresh(row)
    return row


@router.post("/dry-run", response_model=list[DryRunItem], dependencies=[require("mappings:read")])
def dry_run(body: DryRun) -> list[DryRunItem]:
    """What the mapping does to the sample records, without saving anything."""
    mapping = compile_spec(body.record_type, body.spec)
    mapped, rejected = map_page(mapping, body.records)
    items = [
        DryRunItem(
            source_id=m.source_id,
            ok=True,
            version=m.version,
            record=m.record.model_dump(mode="json"),
        )
        for m in mapped
    ]
    items += [
        DryRunItem(source_id=r.source_id, ok=False, stage=r.stage, reason=r.reason)
        for r in rejected
    ]
    return items


@router.get("/{name}", response_model=MappingPublic, dependencies=[require("mappings:read")])
def get_mapping(name: Name, session: SessionDep) -> Mapping:
    return _latest(session, name)


@router.get(
    "/{name}/versions", response_model=list[MappingPublic], dependencies=[require("mappings:read")]
)
def list_versions(name: Name, session: SessionDep) -> list[Mapping]:
    _latest(session, name)
    query = select(Mapping).where(Mapping.name == name).order_by(col(Mapping.version))
    return list(session.exec(query).all())


@router.get(
    "/{name}/versions/{version}",
    response_model=MappingPublic,
    dependencies=[require("mappings:read")],
)
def get_version(name: Name, version: Annotated[RowId, Path()], session: SessionDep) -> Mapping:
    found = session.exec(
        select(Mapping).where(Mapping.name == name, Mapping.version == version)
    ).first()
    if found is None:
        raise HTTPException(404, f"version: mapping {name!r} has no version {version}")
    return found


@router.put("/{name}", response_model=MappingPublic)
def new_version(
    name: Name,
    body: MappingUpdate,
    session: SessionDep,
    principal: Principal = require("mappings:write"),
) -> Mapping:
    """Save a new version; the old ones stay readable."""
    latest = _latest(session, name)
    compile_spec(latest.record_type, body.spec)
    row = Mapping(
        name=name,
        record_type=latest.record_type,
        description=body.description if body.description is not None else latest.description,
        spec=body.spec,
        version=latest.version + 1,
        created_by=principal.subject,
    )
    session.add(row)
    try:
        session.commit()
    except IntegrityError:  # two saves raced for the same version number
        session.rollback()
        raise HTTPException(409, f"mapping {name!r} changed meanwhile; read it and retry") from None
    session.refresh(row)
    return row
