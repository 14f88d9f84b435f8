"""OneRoster CSV packages: upload one (it is synced by a ``roster-csv-import`` run), list what
each SIS sent and how each package was filed.

An upload is ``multipart/form-data`` with the fields ``source`` (a OneRoster connection whose
options say ``source=csv``), ``targets`` (JSON: ``[{"integration": "canvas", "target_system":
"canvas"}]``) and the file ``package`` (a zip of at most ``MAX_UPLOAD_BYTES``). Starlette spools
the file to disk as it arrives; it is then stored in chunks for a worker to stage, so API and
workers share no folder. The same package (source, file name and content) uploaded again is not
processed again: the answer names the package it duplicates and no run starts.
"""

from __future__ import annotations

import asyncio
import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from pydantic import BaseModel, TypeAdapter, ValidationError
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.formparsers import MultiPartException

from api.auth.responses import ErrorAnswer
from api.deps import EngineDep, SettingsDep, TemporalDep
from api.errors import validation_detail
from api.events.hub import EventsDep
from api.middleware import BodyTooLarge
from api.security import Principal, require
from api.starter import start_process
from atrium.bounds import Limit, Offset, RowId
from atrium.db import session_scope
from atrium.models import Integration
from atrium.models.roster_package import RosterPackage, RosterPackagePublic
from atrium.sync import packages
from atrium.temporal import TaskQueues
from workflows.registry import PROCESSES
from workflows.roster_csv_import import CsvTarget, RosterCsvImportInput

router = APIRouter(prefix="/roster-packages", tags=["roster packages"])
PATH = "/api/v1/roster-packages"
MAX_UPLOAD_BYTES = 256 * 1024 * 1024  # also what RequestContext lets through on PATH
NAME_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
TARGETS = TypeAdapter(list[CsvTarget])


class PackageUploaded(BaseModel):
    package: RosterPackagePublic
    duplicate: bool
    workflow_id: str | None


def _field(form: Any, name: str) -> str:
    value = form.get(name)
    if not isinstance(value, str) or not value.strip():
        raise HTTPException(422, f"{name}: required")
    return value.strip()


def _csv_source(engine: Any, name: str) -> None:
    with session_scope(engine) as session:
        row = Integration.named(session, name)
    if row is None or row.system != "oneroster" or (row.options or {}).get("source") != "csv":
        raise HTTPException(
            422, f"source: {name!r} is not a OneRoster connection with the option source=csv"
        )


def _targets(text: str) -> list[CsvTarget]:
    try:
        targets = TARGETS.validate_json(text)
    except ValidationError as exc:
        fields = validation_detail(exc.errors())  # type: ignore[arg-type]
        summary = "; ".join(f"{f['field']}: {f['message']}" for f in fields)
        raise HTTPException(422, f"targets: {summary}") from None
    if not 1 <= len(targets) <= 8:
        raise HTTPException(422, "targets: give 1 to 8 target LMS connections")
    return targets


def _file_name(upload: UploadFile) -> str:
    name = (upload.filename or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    if not (1 <= len(name) <= 200 and set(name) <= NAME_CHARS and name.lower().endswith(".zip")):
        raise HTTPException(
            422, "package: a .zip file name of at most 200 letters, digits, '.', '_' or '-'"
        )
    return name


def _store(
    engine: Any, upload: UploadFile, source: str, name: str, by: str
) -> tuple[RosterPackage, bool]:
    stream = upload.file
    digest, size = hashlib.sha256(), 0
    stream.seek(0)
    for chunk in packages.chunked(stream):
        digest.update(chunk)
        size += len(chunk)
    if not size:
        raise HTTPException(422, "package: the file is empty")
    package, created = packages.receive(
        engine,
        source=source,
        name=name,
        sha256=digest.hexdigest(),
        origin="upload",
        size=size,
        received_by=by,
    )
    assert package.id is not None
    if package.status == "received":  # new, or an upload that never reached a worker
        stream.seek(0)
        packages.save_blob(engine, package.id, packages.chunked(stream))
    return package, package.status == "received"


UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["source", "targets", "package"],
                "additionalProperties": False,
                "properties": {
                    "source": {"type": "string", "maxLength": 63},
                    "targets": {
                        "type": "string",
                        "description": 'JSON: [{"integration": "...", "target_system": "canvas"}]',
                    },
                    "package": {"type": "string", "format": "binary"},
                },
            }
        }
    },
}


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=PackageUploaded,
    responses={
        200: {"model": PackageUploaded, "description": "already processed: no run started"},
        422: {
            "model": ErrorAnswer,
            "description": "a field is missing or wrong (the message names it)",
        },
    },
    openapi_extra={"requestBody": UPLOAD_BODY},
)
async def upload_package(
    request: Request,
    response: Response,
    engine: EngineDep,
    client: TemporalDep,
    settings: SettingsDep,
    events: EventsDep,
    principal: Principal = require("runs:start"),
) -> PackageUploaded:
    """Upload a OneRoster CSV package; a ``roster-csv-import`` run syncs it into the targets."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise HTTPException(422, "body: must be multipart/form-data (source, targets, package)")
    try:
        form = await request.form(max_files=1, max_fields=4, max_part_size=64 * 1024)
    except BodyTooLarge:
        raise HTTPException(413, f"package: larger than {MAX_UPLOAD_BYTES} bytes") from None
    except StarletteHTTPException as exc:  # the parser's own limits (too many fields, ...)
        raise HTTPException(422, f"body: {exc.detail}") from None
    except (MultiPartException, ValueError, AssertionError) as exc:
        raise HTTPException(422, f"body: not a multipart form ({exc})") from None
    try:
        source = _field(form, "source")
        targets = _targets(_field(form, "targets"))
        upload = form.get("package")
        if not isinstance(upload, UploadFile):
            raise HTTPException(422, "package: required (a file)")
        name = _file_name(upload)
        await asyncio.to_thread(_csv_source, engine, source)
        package, fresh = await asyncio.to_thread(
            _store, engine, upload, source, name, principal.subject
        )
    finally:
        await form.close()  # the spooled file goes now, not when the request is collected
    assert package.id is not None
    public = RosterPackagePublic.model_validate(package, from_attributes=True)
    if not fresh and package.status in ("processed", "rejected"):
        response.status_code = status.HTTP_200_OK
        return PackageUploaded(package=public, duplicate=True, workflow_id=None)
    arg = RosterCsvImportInput(source=source, targets=targets, package=package.id)
    handle, _ = await start_process(
        client,
        TaskQueues.from_settings(settings.temporal),
        PROCESSES["roster-csv-import"],
        arg,
        events=events,
    )
    return PackageUploaded(package=public, duplicate=False, workflow_id=handle.id)


@router.get(
    "", response_model=list[RosterPackagePublic], dependencies=[require("integrations:read")]
)
async def list_packages(
    engine: EngineDep,
    response: Response,
    source: Annotated[str | None, Query(max_length=63, pattern=r"^[a-z0-9][a-z0-9._-]*$")] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[RosterPackage]:
    found, total = await asyncio.to_thread(packages.recent, engine, source, limit, offset)
    response.headers["X-Total-Count"] = str(total)
    return found


@router.get(
    "/{package_id}", response_model=RosterPackagePublic, dependencies=[require("integrations:read")]
)
async def get_package(engine: EngineDep, package_id: RowId) -> RosterPackage:
    found = await asyncio.to_thread(packages.get, engine, package_id)
    if found is None:
        raise HTTPException(404, f"no package {package_id}")
    return found


__all__ = ["MAX_UPLOAD_BYTES", "PATH", "router"]
