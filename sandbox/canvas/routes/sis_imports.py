"""SIS Imports: ``/api/v1/accounts/:id/sis_imports`` (upload a zip or CSV, then poll)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.datastructures import UploadFile

from sandbox.canvas import lookups, render
from sandbox.canvas.db import now_iso
from sandbox.canvas.errors import CanvasApiError, not_found
from sandbox.canvas.pagination import paginated
from sandbox.canvas.params import as_bool
from sandbox.canvas.sis.job import run_import
from sandbox.canvas.state import CanvasState, State

router = APIRouter(prefix="/api/v1")

EXTENSIONS = {"application/zip": "zip", "text/xml": "xml", "text/plain": "csv", "text/csv": "csv"}
DROP_STATUSES = ("deleted", "completed", "inactive")


def _root_account(state: CanvasState, account: str) -> int:
    account_id = lookups.account_id(state.db.conn(), account)
    if account_id != lookups.ROOT_ACCOUNT_ID:
        raise CanvasApiError(400, {"errors": ["SIS imports can only be executed on root accounts"]})
    return account_id


def _upload_dir(state: CanvasState) -> Path:
    folder = state.ctx.data_dir / "canvas_sis_uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


async def _receive(request: Request, target: Path, params: dict[str, Any]) -> str:
    """Store the upload at ``target`` (streamed, never whole in memory); returns its extension."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        form = await request.form()
        params.update({k: v for k, v in form.multi_items() if isinstance(v, str)})
        attachment = form.get("attachment")
        if not isinstance(attachment, UploadFile):
            raise CanvasApiError(400, {"error": True, "error_message": "Missing attachment"})
        with target.open("wb") as out:
            shutil.copyfileobj(attachment.file, out, 1 << 20)
        name = attachment.filename or ""
        return params.get("extension") or (
            name.rsplit(".", 1)[-1].lower() if "." in name else "zip"
        )
    with target.open("wb") as out:
        async for chunk in request.stream():
            out.write(chunk)
    return params.get("extension") or EXTENSIONS.get(content_type, "zip")


@router.post("/accounts/{account}/sis_imports")
async def create_sis_import(account: str, request: Request, state: State) -> dict[str, Any]:
    account_id = _root_account(state, account)
    params: dict[str, Any] = dict(request.query_params)
    conn = state.db.conn()
    stamp = now_iso()
    cursor = conn.execute(
        "INSERT INTO sis_imports (account_id, import_type, workflow_state, file_path, extension,"
        " created_at, updated_at) VALUES (?, 'instructure_csv', 'initializing', '', 'zip', ?, ?)",
        (account_id, stamp, stamp),
    )
    import_id = int(cursor.lastrowid or 0)
    target = _upload_dir(state) / f"sis_import_{import_id}"
    try:
        extension = (await _receive(request, target, params)).lower()
        import_type = params.get("import_type") or "instructure_csv"
        if import_type != "instructure_csv":
            raise CanvasApiError(400, {"errors": [{"message": "invalid import type parameter"}]})
        drop = params.get("diffing_drop_status")
        if drop and drop not in DROP_STATUSES:
            raise CanvasApiError(400, {"message": "Invalid diffing_drop_status"})
    except BaseException:
        conn.execute("DELETE FROM sis_imports WHERE id = ?", (import_id,))
        target.unlink(missing_ok=True)
        raise
    options = {
        "skip_deletes": as_bool(params.get("skip_deletes")),
        "override_sis_stickiness": as_bool(params.get("override_sis_stickiness")),
        "diffing_remaster": as_bool(params.get("diffing_remaster_data_set")),
        "diffing_drop_status": drop,
    }
    conn.execute(
        "UPDATE sis_imports SET workflow_state = 'created', file_path = ?, extension ="
        " ?, options = ?,"
        " diffing_data_set_identifier = ? WHERE id = ?",
        (
            str(target),
            extension,
            json.dumps(options),
            params.get("diffing_data_set_identifier") or None,
            import_id,
        ),
    )
    state.spawn(run_import(state, import_id))
    return render.sis_import(
        conn.execute("SELECT * FROM sis_imports WHERE id = ?", (import_id,)).fetchone()
    )


@router.get("/accounts/{account}/sis_imports")
def list_sis_imports(account: str, request: Request, state: State) -> JSONResponse:
    account_id = _root_account(state, account)
    page = paginated(
        request,
        state.ctx,
        state.db.conn(),
        select="*",
        from_where="sis_imports WHERE account_id = ?",
        args=[account_id],
        order_by="created_at DESC, id DESC",
        render=render.sis_import,
    )
    return JSONResponse(
        {"sis_imports": json.loads(bytes(page.body))}, headers={"Link": page.headers["Link"]}
    )


@router.get("/accounts/{account}/sis_imports/importing")
def importing(account: str, state: State) -> dict[str, Any]:
    account_id = _root_account(state, account)
    rows = state.db.conn().execute(
        "SELECT * FROM sis_imports WHERE account_id = ? AND workflow_state = 'importing'",
        (account_id,),
    )
    return {"sis_imports": [render.sis_import(r) for r in rows]}


@router.get("/accounts/{account}/sis_imports/{import_id}")
def get_sis_import(account: str, import_id: int, state: State) -> dict[str, Any]:
    account_id = _root_account(state, account)
    row = (
        state.db.conn()
        .execute(
            "SELECT * FROM sis_imports WHERE id = ? AND account_id = ?", (import_id, account_id)
        )
        .fetchone()
    )
    if row is None:
        raise not_found()
    return render.sis_import(row)
